"""Who is asking. A request without a valid identity is refused; a student sees only their own.

Standalone, per-student tokens: `autograder tokens --course DIR` issues one for each student of
the course's gradebook and keeps only their SHA-256 in DIR/.autograder/tokens.json (mode 600), so
the file cannot be used to impersonate anyone. A student sends theirs as
`Authorization: Bearer <token>`.

Behind JupyterHub (`autograder serve` started as a hub service: JUPYTERHUB_API_TOKEN and
JUPYTERHUB_API_URL in its environment), the hub decides: the request carries the user's hub token
(`Authorization: token <token>`, which a single-user server has as JUPYTERHUB_API_TOKEN), and
JupyterHub's own `HubAuth` asks the hub whose it is and whether it may use this service.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from autograder.results import write_atomically

PREFIX = "agt_"


def tokens_path(course: Path) -> Path:
    return Path(course) / ".autograder" / "tokens.json"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer X` or `Authorization: token X` header."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return value.strip()
    return None


def _load(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("students"), dict) else {"students": {}}
    except (OSError, ValueError):
        return {"students": {}}


def issue_tokens(course: Path, students: list[str], renew: bool = False) -> dict[str, str]:
    """New tokens for the students who have none (or for all of them with renew); returns
    {student: token}, the only time a token is ever seen."""
    path = tokens_path(course)
    data = _load(path)
    issued = {}
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    for student in students:
        if student in data["students"] and not renew:
            continue
        token = PREFIX + secrets.token_urlsafe(24)
        data["students"][student] = {"sha256": _digest(token), "issued": now}
        issued[student] = token
    if issued:
        old = os.umask(0o077)
        try:
            write_atomically(path, json.dumps(data, indent=1, sort_keys=True) + "\n")
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
    return issued


def revoke_tokens(course: Path, students: list[str]) -> list[str]:
    path = tokens_path(course)
    data = _load(path)
    gone = [s for s in students if data["students"].pop(s, None) is not None]
    if gone:
        write_atomically(path, json.dumps(data, indent=1, sort_keys=True) + "\n")
        os.chmod(path, 0o600)
    return gone


class TokenIdentity:
    """Tokens from tokens.json, read again whenever the file changes (no restart to add students)."""

    kind = "token"

    def __init__(self, course: Path):
        self.path = tokens_path(course)
        self._stamp = None
        self._by_digest: dict[str, str] = {}

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            stamp = None
        if stamp != self._stamp:
            self._stamp = stamp
            self._by_digest = {entry["sha256"]: student for student, entry in _load(self.path)["students"].items()
                               if isinstance(entry, dict) and "sha256" in entry}

    async def student(self, authorization: str | None) -> str | None:
        token = request_token(authorization)
        if not token:
            return None
        self._refresh()
        digest = _digest(token)
        for known, student in self._by_digest.items():   # constant time per entry
            if hmac.compare_digest(known, digest):
                return student
        return None

    def count(self) -> int:
        self._refresh()
        return len(self._by_digest)


class HubIdentity:
    """JupyterHub's own authentication for its services (jupyterhub.services.auth.HubAuth)."""

    kind = "jupyterhub"

    def __init__(self):
        from jupyterhub.services.auth import HubAuth
        self.auth = HubAuth(cache_max_age=60)

    @property
    def prefix(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")

    async def student(self, authorization: str | None) -> str | None:
        token = request_token(authorization)
        if not token:
            return None
        try:
            model = await self.auth.user_for_token(token, sync=False)
        except Exception:   # the hub said no, or could not be asked: no identity
            return None
        if not model or model.get("kind", "user") != "user":
            return None
        if not self.auth.check_scopes(self.auth.access_scopes, model):
            return None
        return model["name"]


def from_environment(course: Path):
    """Behind JupyterHub when started as its service, tokens otherwise."""
    if os.environ.get("JUPYTERHUB_API_TOKEN") and os.environ.get("JUPYTERHUB_API_URL"):
        return HubIdentity()
    return TokenIdentity(course)
