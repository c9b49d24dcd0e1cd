"""The course's answer key as lines, and a search for them in files and in text.

The answer key is every file of `solutions/` and of the hidden suites (`autograder/suites/**`).
A *line* of it is one of their source lines, normalised: leading and trailing blanks removed and
every run of blanks inside made one space. Only non-trivial lines count:
- at least MIN_LENGTH characters once normalised (`return x`, `import numpy as np`, `else:`,
  a docstring's quotes say nothing of the answers, and are in any Python library);
- not an import statement (which names a module, not an answer);
- not a line a student has anyway: any line of a release notebook (signatures, docstrings, the
  public checks and the demo cells are handed out on purpose);
- not common code: a line that is also a line of published Python source, the standard library
  or any package of the course's own environment (its site-packages, the course's packages aside),
  is an idiom (`except Exception as exc:`, `def pytest_configure(config):`,
  `with np.errstate(all="ignore"):`), not the answer key. 18 of the 4 012 lines are.
What is left (about 4 000 lines) is what only the answer key holds: the reference
implementations, the hidden tests' code and inputs, the mistake models and their messages'
formats, the expected values written in the suites.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import tarfile
import zipfile
import sysconfig
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from helpers import ROOT

MIN_LENGTH = 24
PRINTABLE_RUN = re.compile(rb"[\t\x20-\x7e]{%d,}" % MIN_LENGTH)
IMPORT = re.compile(r"^(from \S+ )?import ")


def normalise(line: str) -> str:
    return " ".join(line.split())


def answer_key_files(root: Path = ROOT) -> list[Path]:
    return sorted((root / "solutions").glob("*.py")) + sorted((root / "autograder" / "suites").rglob("*.py"))


def public_lines(root: Path = ROOT) -> set[str]:
    """Every line of every release notebook's cells."""
    lines: set[str] = set()
    for notebook in (root / "release").glob("*/*.ipynb"):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            lines.update(normalise(line) for line in "".join(cell["source"]).splitlines())
    return lines


def common_lines(candidates: set[str]) -> set[str]:
    """Those of `candidates` that are lines of published Python source: this interpreter's
    standard library and site-packages (where the course's own packages are not: they are
    installed from the repository, `__editable__` finders and .pth files holding only paths)."""
    paths = sysconfig.get_paths()
    found: set[str] = set()
    for top in {paths["stdlib"], paths["purelib"], paths["platlib"]}:
        for folder, _, names in os.walk(top):
            for name in names:
                if name.endswith((".py", ".pyi")) and not name.startswith("__editable__"):
                    try:
                        text = Path(folder, name).read_text(encoding="utf-8", errors="replace")
                    except OSError:
                        continue
                    found.update(line for raw in text.splitlines() if (line := normalise(raw)) in candidates)
    return found


@lru_cache(maxsize=1)
def key_lines(root: Path = ROOT) -> dict[str, str]:
    """{normalised line: 'file:line number'} of the answer key's non-trivial lines."""
    public = public_lines(root)
    key: dict[str, str] = {}
    for path in answer_key_files(root):
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = normalise(raw)
            if len(line) >= MIN_LENGTH and not IMPORT.match(line) and line not in public:
                key.setdefault(line, f"{path.relative_to(root)}:{number}")
    for line in common_lines(set(key)):
        del key[line]
    return key


def lines_of(data: bytes) -> list[str]:
    """The lines of a file: of its text, or of the printable runs inside a binary file (a string
    constant in a compiled module, a zip's stored member, a library's data)."""
    if b"\0" not in data[:8192]:
        try:
            return [normalise(line) for line in data.decode("utf-8").splitlines()]
        except UnicodeDecodeError:
            pass
    found = []
    for run in PRINTABLE_RUN.finditer(data):
        found.extend(normalise(line) for line in run.group().decode("ascii").splitlines())
    return found


class _Text(HTMLParser):
    """The text of an HTML page as a reader sees it (highlighted code is one token per tag)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("br", "p", "div", "tr", "li", "pre", "h1", "h2", "h3", "table"):
            self.parts.append("\n")


def texts(answer) -> list[str]:
    """Every string in an answer (JSON decoded, or a page), and the text of those that are HTML."""
    if isinstance(answer, dict):
        return [t for value in answer.values() for t in texts(value)]
    if isinstance(answer, list):
        return [t for value in answer for t in texts(value)]
    if not isinstance(answer, str):
        return [str(answer)]
    found = [answer]
    if "<" in answer and ">" in answer:
        parser = _Text()
        parser.feed(answer)
        found.append("".join(parser.parts))
    return found


def search_text(answer, key: dict[str, str], own: set[str] = frozenset()) -> list[str]:
    """The answer-key lines in an answer (a string, a page or decoded JSON), but those in `own`
    (what the student sent themselves)."""
    return sorted({f"{key[line]}: {line}" for text in texts(answer) for raw in text.splitlines()
                   if (line := normalise(raw)) in key and line not in own})


ARCHIVES = (".zip", ".whl", ".egg", ".jar", ".tar", ".tgz", ".gz", ".bz2", ".xz")


def contents(path: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of a file, and of each member when it is an archive (compressed lines are
    lines too)."""
    data = path.read_bytes()
    found = [(path.name, data)]
    if path.name.endswith(ARCHIVES):
        try:
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    found += [(f"{path.name}!{n}", archive.read(n)) for n in archive.namelist() if not n.endswith("/")]
            elif tarfile.is_tarfile(path):
                with tarfile.open(path) as archive:
                    found += [(f"{path.name}!{m.name}", archive.extractfile(m).read())
                              for m in archive.getmembers() if m.isfile()]
            elif path.name.endswith(".gz"):
                found.append((f"{path.name}!", gzip.decompress(data)))
        except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError):
            pass
    return found


def search_tree(top: Path, key: dict[str, str]) -> tuple[int, list[str]]:
    """(files read, the answer-key lines found in any file under `top`, with where)."""
    hits, files = [], 0
    for folder, _, names in os.walk(top):
        for name in names:
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            files += 1
            for member, data in contents(path):
                for line in set(lines_of(data)):
                    if line in key:
                        hits.append(f"{path.parent.relative_to(top) / member} holds {key[line]}: {line}")
    return files, hits
