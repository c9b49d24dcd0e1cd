"""The course's grading service (`autograder serve`), as a student's Jupyter server talks to it:
over HTTP with the student's identity, every failure turned into an answer the panel can show."""
from __future__ import annotations

import json
from pathlib import Path

from jupyter_server.utils import url_path_join
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest


class CourseService:
    def __init__(self, url: str, token: str, hub: bool = False):
        self.url, self.token, self.hub = url, token, hub
        self._assignments: dict[str, list[str]] | None = None

    def headers(self) -> dict:
        if not self.token:
            return {}
        return {"Authorization": f"{'token' if self.hub else 'Bearer'} {self.token}"}

    async def fetch(self, method: str, path: str, body: bytes | None = None, timeout: float = 60) -> tuple[int, dict]:
        """(status, JSON answer) of one request to the service; never raises."""
        request = HTTPRequest(url_path_join(self.url, path), method=method, body=body, headers=self.headers(),
                              request_timeout=timeout)
        try:
            response = await AsyncHTTPClient().fetch(request)
            return response.code, json.loads(response.body or b"{}")
        except HTTPClientError as exc:
            data = {}
            if exc.response is not None and exc.response.body:
                try:
                    data = json.loads(exc.response.body)
                except ValueError:
                    pass
            return (exc.code if exc.code != 599 else 502), {"error": data.get("error") or f"评分服务没有回应（{exc}）"}
        except (OSError, ValueError) as exc:
            return 502, {"error": f"连接不上评分服务 {self.url}（{getattr(exc, 'strerror', None) or exc}）"}

    async def assignments(self) -> tuple[int, dict]:
        """(200, {assignment: its graded functions}) as the service lists them (public: the release
        notebooks name them), or the service's error."""
        if self._assignments is None:
            status, me = await self.fetch("GET", "api/me")
            if status != 200:
                return status, me
            self._assignments = {a["id"]: list(a.get("functions") or []) for a in me.get("assignments", [])}
        return 200, self._assignments


def guess_assignment(notebook: Path, known: dict[str, list[str]]) -> str | None:
    """The assignment whose graded functions the notebook's answer cells define (by nbgrader
    grade_id, or failing that by a `def`/`class` line), or whose name the file has."""
    if notebook.stem in known:
        return notebook.stem
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return None
    ids, text = set(), []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        grade_id = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
        if isinstance(grade_id, str):
            ids.add(grade_id)
        source = cell.get("source", "")
        text.append("".join(source) if isinstance(source, list) else str(source))
    code = "\n".join(text)
    scores = {a: sum(2 if f in ids else int(f"def {f}(" in code or f"class {f}" in code) for f in functions)
              for a, functions in known.items()}
    best = max(scores, key=scores.get, default=None)
    return best if best is not None and scores[best] > 0 else None
