"""Who is asking. A request without a valid identity is refused; a student sees only their own.

Standalone, per-student tokens: `autograder tokens --course DIR` issues one for each student of
the course's gradebook and keeps only their SHA-256 in DIR/.autograder/tokens.json (created 0600
in a 0700 directory), so the file cannot be used to impersonate anyone. A student sends theirs as
`Authorization: Bearer <token>`. A token may carry an expiry (`--expires 2027-01-31`, the end of
that day in UTC, or a full date and time with its zone, or a duration such as `90d`): after it,
the service refuses it with a sentence saying so.

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

from autograder.course.results import write_atomically

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


def write_private(path: Path, text: str) -> None:
    """Write `path` created 0600 (a new file beside it, renamed over it), its directory 0700 if made here."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_atomically(path, text, private=True)


class BadExpiry(ValueError):
    pass


def parse_expiry(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """`--expires`: a duration (30m, 12h, 90d, 2w), a date (until the end of that day, UTC), or a
    date and time (UTC unless a zone is given, nbgrader's parser). Aware UTC; BadExpiry says why."""
    now = now or dt.datetime.now(dt.timezone.utc)
    text = text.strip()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
    if text[:-1].isdigit() and text[-1:].lower() in units:
        when = now + dt.timedelta(seconds=int(text[:-1]) * units[text[-1].lower()])
    else:
        try:
            day = dt.date.fromisoformat(text)
            when = dt.datetime.combine(day, dt.time(23, 59, 59), dt.timezone.utc)
        except ValueError:
            from nbgrader.utils import parse_utc
            try:
                when = parse_utc(text).replace(tzinfo=dt.timezone.utc)
            except Exception:
                raise BadExpiry(f"--expires {text!r}: give a date (2027-01-31), a date and time "
                                "('2027-01-31 18:00 Asia/Shanghai') or a duration (90d, 12h)") from None
    if when <= now:
        raise BadExpiry(f"--expires {text!r} is already past ({when:%Y-%m-%d %H:%M:%S} UTC)")
    return when


def issue_tokens(course: Path, students: list[str], renew: bool = False,
                 expires: dt.datetime | None = None) -> dict[str, str]:
    """New tokens for the students who have none (or for all of them with renew), valid until
    `expires` (aware UTC; None: no expiry); returns {student: token}, the only time a token is seen."""
    path = tokens_path(course)
    data = _load(path)
    issued = {}
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    for student in students:
        if student in data["students"] and not renew:
            continue
        token = PREFIX + secrets.token_urlsafe(24)
        data["students"][student] = {"sha256": _digest(token), "issued": now}
        if expires is not None:
            data["students"][student]["expires"] = expires.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
        issued[student] = token
    if issued:
        write_private(path, json.dumps(data, indent=1, sort_keys=True) + "\n")
    return issued


def revoke_tokens(course: Path, students: list[str]) -> list[str]:
    path = tokens_path(course)
    data = _load(path)
    gone = [s for s in students if data["students"].pop(s, None) is not None]
    if gone:
        write_private(path, json.dumps(data, indent=1, sort_keys=True) + "\n")
    return gone


class Refused(Exception):
    """A known credential that no longer works (an expired token): the sentence says why."""


class TokenIdentity:
    """Tokens from tokens.json, read again whenever the file changes (no restart to add students)."""

    kind = "token"

    def __init__(self, course: Path):
        self.path = tokens_path(course)
        self._stamp = None
        self._by_digest: dict[str, tuple[str, dt.datetime | None]] = {}

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            stamp = None
        if stamp != self._stamp:
            self._stamp = stamp
            self._by_digest = {entry["sha256"]: (student, _expiry(entry))
                               for student, entry in _load(self.path)["students"].items()
                               if isinstance(entry, dict) and isinstance(entry.get("sha256"), str)}

    async def student(self, authorization: str | None) -> str | None:
        """The token's student; None for no or an unknown token; Refused for an expired one."""
        token = request_token(authorization)
        if not token:
            return None
        self._refresh()
        digest = _digest(token)
        found = None
        for known, entry in self._by_digest.items():   # constant time per entry
            if hmac.compare_digest(known, digest):
                found = entry
        if found is None:
            return None
        student, expires = found
        if expires is not None and dt.datetime.now(dt.timezone.utc) >= expires:
            raise Refused(f"你的令牌已于 {expires:%Y-%m-%d %H:%M:%S} UTC 过期，请向老师要一个新的令牌。")
        return student

    def expires(self, student: str) -> dt.datetime | None:
        self._refresh()
        return next((e for s, e in self._by_digest.values() if s == student), None)

    def count(self) -> int:
        self._refresh()
        return len(self._by_digest)


def _expiry(entry: dict) -> dt.datetime | None:
    """An entry's expiry; a value that cannot be read counts as already past (fail closed)."""
    if "expires" not in entry:
        return None
    try:
        when = dt.datetime.fromisoformat(str(entry["expires"]))
        return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)


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
