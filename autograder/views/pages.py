"""Every HTML page the project writes or serves, from Jinja2 templates (views/templates/) with
autoescaping on: a student's code, names and messages are text in a page, never markup. One
Content-Security-Policy for all of them: nothing but the page itself, its inline style and
embedded images (no script, no request anywhere)."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_ENV = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"), autoescape=True,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(template: str, **values) -> str:
    """The page `template` with these values (each escaped where it is written, unless `trusted`)."""
    return _ENV.get_template(template).render(csp=CSP, **values)


def trusted(markup: str) -> Markup:
    """HTML this project made itself (pygments' highlighting, a page's CSS), written as it is."""
    return Markup(markup)
