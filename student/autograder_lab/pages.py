"""The feedback pages the panel has shown, kept so that a browser tab can open the same page."""
from __future__ import annotations

import secrets
from collections import OrderedDict

# A tab's page is a sandboxed document of no origin: no script, nothing loaded from anywhere, its
# own styles and embedded figures only (the page is self-contained, feedback.py).
PAGE_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


class Pages:
    """The last `size` pages, in this server's memory."""

    def __init__(self, size: int = 50):
        self.size = size
        self.pages: OrderedDict[str, str] = OrderedDict()

    def keep(self, html: str) -> str:
        key = secrets.token_hex(16)
        self.pages[key] = html
        while len(self.pages) > self.size:
            self.pages.popitem(last=False)
        return key

    def get(self, key: str) -> str | None:
        return self.pages.get(key)
