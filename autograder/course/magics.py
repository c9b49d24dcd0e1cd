"""IPython syntax in a student's cell (`%magic`, `%%cell magic`, `!shell`, `x = !cmd`) as plain
Python calling get_ipython(), whose stand-in in the sandbox does nothing (sandbox/kernel.py).

The grader's own process reads this text, so it costs time linear in the cell's size: IPython's
own TransformerManager re-tokenises the whole cell once per magic it rewrites (2,000 `%time`
lines, 36 KB, took 29 s). Here one pass over the lines keeps just enough of Python's lexical
state (open brackets, strings, backslash continuations) to know which lines begin a statement,
and only those are rewritten, as IPython rewrites them.
"""
from __future__ import annotations

import re

# [ \t], never \s: \s crosses newlines, and `^\s*` over blank lines is quadratic.
CANDIDATE = re.compile(r"^[ \t]*[%!]|=[ \t]*[%!]", re.MULTILINE)
_PLAIN = re.compile(r"[^'\"#()\[\]{}\\\n]+")
# A string's body up to (not including) its end; unrolled loops: one way to match, linear.
_BODY = {"'": re.compile(r"[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*"),
         '"': re.compile(r'[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*'),
         "'''": re.compile(r"[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*"),
         '"""': re.compile(r'[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*')}
_ASSIGNED = re.compile(r"[ \t]*[%!]")


def needs_ipython(source: str) -> bool:
    return CANDIDATE.search(source) is not None


def transform_magics(source: str) -> str:
    """The cell with its IPython lines rewritten (IPython's own output for the usual forms)."""
    if not needs_ipython(source):
        return source
    lines = _lines(source.replace("\r\n", "\n").replace("\r", "\n"))
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        name, _, line = lines[first].strip()[2:].partition(" ")
        return f"get_ipython().run_cell_magic({name!r}, {line.strip()!r}, {''.join(lines[first + 1:])!r})\n"
    out: list[str] = []
    state = _State()
    i = 0
    while i < len(lines):
        line = lines[i]
        if state.at_statement and _is_magic(line):
            joined = [line]
            while _continues(joined[-1]) and i + 1 < len(lines):
                i += 1
                joined.append(lines[i])
            out.append(_rewrite(joined))
        else:
            out.append(line)
            state.scan(line)
        i += 1
    return "".join(out)


def _lines(source: str) -> list[str]:
    """Lines as Python's tokenizer sees them (str.splitlines also breaks at \\x0c, \\u2028, ...)."""
    parts = source.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


class _State:
    """Where a line leaves Python's lexer: inside brackets, a string, or a continued line."""

    def __init__(self):
        self.depth = 0
        self.string: str | None = None     # the open string's quote
        self.continued = False

    @property
    def at_statement(self) -> bool:
        return self.depth == 0 and self.string is None and not self.continued

    def scan(self, line: str) -> None:
        pos, end = 0, len(line)
        self.continued = False
        while pos < end:
            if self.string is not None:
                pos = _BODY[self.string].match(line, pos).end()
                if line.startswith(self.string, pos):
                    pos += len(self.string)
                    self.string = None
                    continue
                if len(self.string) == 1 and pos < end:
                    self.string = None   # unterminated: Python ends the string (in error) at the line's end
                return                   # else it goes on (triple-quoted, or its newline escaped by a backslash)
            plain = _PLAIN.match(line, pos)
            if plain:
                pos = plain.end()
                continue
            char = line[pos]
            if char == "#" or char == "\n":
                return
            if char == "\\":
                self.continued = line.startswith("\n", pos + 1)
                pos += 1
            elif char in "([{":
                self.depth += 1
                pos += 1
            elif char in ")]}":
                self.depth = max(self.depth - 1, 0)
                pos += 1
            else:   # a quote (its prefix letters, if any, were plain text)
                quote = char * 3 if line.startswith(char * 3, pos) else char
                self.string = quote
                pos += len(quote)


def _continues(line: str) -> bool:
    return line.endswith("\\\n")


def _is_magic(line: str) -> bool:
    stripped = line.lstrip(" \t")
    return stripped.startswith(("%", "!")) or _assignment(line) is not None


def _assignment(line: str) -> int | None:
    """Where `target = %magic` / `target = !cmd` puts its `=` (None when it is no such line)."""
    at = line.find("=")
    if at <= 0 or line[at - 1] in "=!<>+-*/%&|^@:" or line.startswith("=", at + 1):
        return None
    target = line[:at]
    if not target.strip() or target.lstrip(" \t").startswith(("%", "!")) or \
            sum(map(target.count, "([{")) != sum(map(target.count, ")]}")):
        return None
    return at if _ASSIGNED.match(line, at + 1) else None


def _rewrite(joined: list[str]) -> str:
    """The statement (a magic line and its backslash continuations) as IPython writes it."""
    newline = "\n" if joined[-1].endswith("\n") else ""
    text = "".join(part.rstrip("\n")[:-1] if k < len(joined) - 1 else part.rstrip("\n")
                   for k, part in enumerate(joined))
    indent = text[:len(text) - len(text.lstrip(" \t"))]
    body = text[len(indent):]
    if body.startswith(("%", "!")):
        return indent + _call(body) + newline
    at = _assignment(text)
    value = text[at + 1:].lstrip(" \t")
    return f"{text[:at].rstrip()} = {_call(value, assigned=True)}{newline}"


def _call(body: str, assigned: bool = False) -> str:
    if body.startswith("!"):
        command = body[2:] if body.startswith("!!") else body[1:]
        kind = "getoutput" if assigned or body.startswith("!!") else "system"
        return f"get_ipython().{kind}({command.strip()!r})"
    name, _, line = body.lstrip("%").partition(" ")
    return f"get_ipython().run_line_magic({name!r}, {line.strip()!r})"
