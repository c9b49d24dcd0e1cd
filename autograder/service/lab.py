"""The Jupyter server extension behind the JupyterLab buttons (labextension/).

    GET  /autograder/config               {"mode": "service" | "local"}
    POST /autograder/submit {path}        the saved notebook, sent to the course service -> 202 {id, ...}
    GET  /autograder/submissions/<id>     its state at the service (waits up to 20 s for a change)
    POST /autograder/check {path}         `autograder check` here, in the sandbox, for self-learners

The browser only ever talks to its own Jupyter server (its token and XSRF protection apply);
this extension holds the student's identity for the course service:

    c.AutograderLab.service_url = "http://127.0.0.1:8765/"       # or $AUTOGRADER_SERVICE_URL
    c.AutograderLab.token = "agt_..."                            # or $AUTOGRADER_TOKEN, or
                                                                  # ~/.autograder/token
Under JupyterHub the single-user server's own hub token ($JUPYTERHUB_API_TOKEN) is sent instead,
and the service asks the hub whose it is. With no service configured, the "检查" button grades
locally. The assignment is recognised from the notebook's contents, so a renamed notebook works.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from traitlets import Unicode, default

CHECK_TIMEOUT = 900


class AutograderLab(ExtensionApp):
    name = "autograder_lab"
    service_url = Unicode("", config=True, help="The course's grade-on-submit service (`autograder serve`).")
    token = Unicode("", config=True, help="This student's token for the service (`autograder tokens`).")

    @default("service_url")
    def _service_url(self):
        return os.environ.get("AUTOGRADER_SERVICE_URL", "")

    @default("token")
    def _token(self):
        if os.environ.get("AUTOGRADER_TOKEN"):
            return os.environ["AUTOGRADER_TOKEN"]
        saved = Path.home() / ".autograder" / "token"
        if saved.is_file():
            return saved.read_text(encoding="utf-8").strip()
        return os.environ.get("JUPYTERHUB_API_TOKEN", "")

    def initialize_handlers(self):
        state = {"lab": self}
        self.handlers.extend([
            (r"/autograder/config", Config, state),
            (r"/autograder/submit", Submit, state),
            (r"/autograder/submissions/([0-9a-f]{32})", Poll, state),
            (r"/autograder/check", Check, state),
        ])

    def service(self, path: str) -> str:
        return url_path_join(self.service_url, path)

    def headers(self) -> dict:
        scheme = "token" if self.token and self.token == os.environ.get("JUPYTERHUB_API_TOKEN") else "Bearer"
        return {"Authorization": f"{scheme} {self.token}"} if self.token else {}


class Base(APIHandler):
    def initialize(self, lab: AutograderLab):
        self.lab = lab

    def answer(self, status: int, data: dict) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(data, ensure_ascii=False))

    def notebook(self) -> Path:
        """The notebook named in the request, inside this server's root only."""
        try:
            path = str(json.loads(self.request.body or b"{}").get("path", ""))
        except ValueError:
            raise tornado.web.HTTPError(400, "bad request") from None
        root = Path(self.settings["server_root_dir"]).expanduser().resolve()
        target = (root / path).resolve()
        if root != target and root not in target.parents or not target.is_file():
            raise tornado.web.HTTPError(404, f"no notebook {path}")
        return target

    async def forward(self, method: str, path: str, body: bytes | None = None, timeout: float = 60) -> None:
        request = HTTPRequest(self.lab.service(path), method=method, body=body, headers=self.lab.headers(),
                              request_timeout=timeout)
        try:
            response = await AsyncHTTPClient().fetch(request)
            self.answer(response.code, json.loads(response.body or b"{}"))
        except HTTPClientError as exc:
            data = {}
            if exc.response is not None and exc.response.body:
                try:
                    data = json.loads(exc.response.body)
                except ValueError:
                    pass
            self.answer(exc.code if exc.code != 599 else 502,
                        {"error": data.get("error") or f"评分服务没有回应（{exc}）"})
        except OSError as exc:
            self.answer(502, {"error": f"连接不上评分服务 {self.lab.service_url}（{exc.strerror or exc}）"})


class Config(Base):
    @tornado.web.authenticated
    def get(self):
        self.answer(200, {"mode": "service" if self.lab.service_url else "local",
                          "service": self.lab.service_url or None})


def guess(notebook: Path) -> str | None:
    from autograder.commands import guess_assignment
    return guess_assignment(str(notebook))


class Submit(Base):
    @tornado.web.authenticated
    async def post(self):
        if not self.lab.service_url:
            self.answer(409, {"error": "没有配置评分服务（AUTOGRADER_SERVICE_URL）；请用“检查”。"})
            return
        notebook = self.notebook()
        assignment = await asyncio.get_running_loop().run_in_executor(None, guess, notebook)
        if assignment is None:
            self.answer(400, {"error": "认不出这是哪一次作业的笔记本。"})
            return
        from urllib.parse import quote
        await self.forward("POST", f"api/assignments/{assignment}/submissions?filename={quote(notebook.name)}",
                           notebook.read_bytes())


class Poll(Base):
    @tornado.web.authenticated
    async def get(self, submission_id: str):
        await self.forward("GET", f"api/submissions/{submission_id}?wait=20", timeout=40)


class Check(Base):
    """`autograder check`, locally: the same Grader and sandbox, in a process of its own."""

    @tornado.web.authenticated
    async def post(self):
        notebook = self.notebook()
        assignment = await asyncio.get_running_loop().run_in_executor(None, guess, notebook)
        if assignment is None:
            self.answer(400, {"error": "认不出这是哪一次作业的笔记本。"})
            return
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "autograder.service.lab", str(notebook), assignment,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True)
        try:
            out, err = await asyncio.wait_for(process.communicate(), CHECK_TIMEOUT)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()
            self.answer(504, {"error": "检查超时。"})
            return
        lines = [line for line in out.decode("utf-8", "replace").splitlines() if line.startswith("{")]
        if not lines:
            self.answer(500, {"error": "检查没有结果：" + err.decode("utf-8", "replace").strip()[-300:]})
            return
        self.answer(200, json.loads(lines[-1]))


def _jupyter_server_extension_points():
    return [{"module": "autograder.service.lab", "app": AutograderLab}]


def check(notebook: str, assignment: str) -> dict:
    """What `autograder check` does (the Grader and sandbox, this course's settings), as the panel
    shows it: score, a line per function and the learner's feedback page."""
    from autograder import feedback
    from autograder.assignments import course_root
    from autograder.config import sandbox_settings
    from autograder.engine import Grader

    with Grader(assignment, sandbox_settings(course_root()), course_root()) as grader:
        (result,) = grader.grade([notebook])
    return {"state": "done", "assignment": assignment, "status": result.status.value,
            "score": result.score if result.status == "graded" else 0.0, "max_score": result.max_score,
            "error": result.error, "messages_shown": True,
            "summary": [{"function": f, "score": s, "max_score": m} for f, (s, m) in result.by_function().items()],
            "feedback_html": feedback.render(result, "你", Path(notebook))}


if __name__ == "__main__":   # the 检查 button's process: one JSON line on stdout
    answer = check(sys.argv[1], sys.argv[2])
    sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
