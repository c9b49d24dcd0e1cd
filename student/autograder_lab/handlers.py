"""The Jupyter server extension behind the JupyterLab buttons.

    GET  /autograder/config               {"mode": "service" | "local" | "none"}
    POST /autograder/submit {path}        the saved notebook, to the course service -> 202 {id, ...}
    GET  /autograder/submissions/<id>     its state at the service (waits up to 20 s for a change)
    POST /autograder/check {path}         检查: at the service (graded, recorded nowhere) or, with no
                                          service and the full `autograder` package here, locally
    GET  /autograder/pages/<key>          a feedback page the panel showed, for a browser tab

The browser only ever talks to its own Jupyter server (its token and XSRF protection apply);
this extension holds the student's identity for the course service:

    c.AutograderLab.service_url = "http://127.0.0.1:8765/"       # or $AUTOGRADER_SERVICE_URL
    c.AutograderLab.token = "agt_..."                            # or $AUTOGRADER_TOKEN, or
                                                                  # ~/.autograder/token
Under JupyterHub the single-user server's own hub token ($JUPYTERHUB_API_TOKEN) is sent instead,
and the service asks the hub whose it is. The assignment is recognised from the notebook's
contents (its graded functions, which the service lists), so a renamed notebook works.
"""
from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import sys
from pathlib import Path
from urllib.parse import quote

import tornado.web
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.extension.application import ExtensionApp
from traitlets import Unicode, default

from autograder_lab.course import CourseService, guess_assignment
from autograder_lab.pages import PAGE_POLICY, Pages

CHECK_TIMEOUT = 900
LOCAL_CHECK = "autograder.service.lab"   # in the full package only (a self-learner's environment)


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
        hub = bool(self.token) and self.token == os.environ.get("JUPYTERHUB_API_TOKEN")
        self.course = CourseService(self.service_url, self.token, hub) if self.service_url else None
        self.pages = Pages()
        state = {"lab": self}
        self.handlers.extend([
            (r"/autograder/config", Config, state),
            (r"/autograder/submit", Submit, state),
            (r"/autograder/submissions/([0-9a-f]{32})", Poll, state),
            (r"/autograder/check", Check, state),
            (r"/autograder/pages/([0-9a-f]{32})", Page, state),
        ])

    @property
    def mode(self) -> str:
        if self.course:
            return "service"
        return "local" if importlib.util.find_spec("autograder") is not None else "none"


class Base(APIHandler):
    def initialize(self, lab: AutograderLab):
        self.lab = lab

    def answer(self, status: int, data: dict) -> None:
        """JSON for the panel; a feedback page in it is also kept for a tab of its own."""
        if isinstance(data.get("feedback_html"), str):
            data["page"] = f"autograder/pages/{self.lab.pages.keep(data['feedback_html'])}"
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(data, ensure_ascii=False))

    def notebook(self) -> Path:
        """The notebook named in the request, inside this server's root only."""
        try:
            path = str(json.loads(self.request.body or b"{}").get("path", ""))
        except (ValueError, AttributeError):
            raise tornado.web.HTTPError(400, "bad request") from None
        root = Path(self.settings["server_root_dir"]).expanduser().resolve()
        target = (root / path).resolve()
        if root != target and root not in target.parents or not target.is_file():
            raise tornado.web.HTTPError(404, f"no notebook {path}")
        return target

    async def assignment(self, notebook: Path) -> str | None:
        """Which assignment the notebook is (None once the answer is sent)."""
        status, known = await self.lab.course.assignments()
        if status != 200:
            self.answer(status, known)
            return None
        found = guess_assignment(notebook, known)
        if found is None:
            self.answer(400, {"error": "认不出这是哪一次作业的笔记本（它的函数和课程里的作业都对不上）。"})
        return found

    async def to_service(self, method: str, path: str, body: bytes | None = None, timeout: float = 60) -> None:
        self.answer(*await self.lab.course.fetch(method, path, body, timeout))


class Config(Base):
    @tornado.web.authenticated
    def get(self):
        self.answer(200, {"mode": self.lab.mode, "service": self.lab.service_url or None})


class Submit(Base):
    @tornado.web.authenticated
    async def post(self):
        if self.lab.course is None:
            self.answer(409, {"error": "没有配置评分服务（AUTOGRADER_SERVICE_URL），不能提交；请用“检查”。"})
            return
        notebook = self.notebook()
        assignment = await self.assignment(notebook)
        if assignment:
            await self.to_service("POST", f"api/assignments/{assignment}/submissions?filename={quote(notebook.name)}",
                                  notebook.read_bytes())


class Poll(Base):
    @tornado.web.authenticated
    async def get(self, submission_id: str):
        if self.lab.course is None:
            self.answer(409, {"error": "没有配置评分服务（AUTOGRADER_SERVICE_URL）。"})
            return
        await self.to_service("GET", f"api/submissions/{submission_id}?wait=20", timeout=40)


class Check(Base):
    """检查: graded by the course's service and recorded nowhere; with no service, `autograder check`
    here (a self-learner's environment, where the full package is installed)."""

    @tornado.web.authenticated
    async def post(self):
        notebook = self.notebook()
        mode = self.lab.mode
        if mode == "service":
            assignment = await self.assignment(notebook)
            if assignment:
                await self.to_service("POST", f"api/assignments/{assignment}/checks", notebook.read_bytes(),
                                      timeout=CHECK_TIMEOUT)
        elif mode == "local":
            await self.check_here(notebook)
        else:
            self.answer(409, {"error": "这个环境没有配置评分服务（AUTOGRADER_SERVICE_URL），也没有安装本地评分程序；"
                                       "请告诉老师。"})

    async def check_here(self, notebook: Path) -> None:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", LOCAL_CHECK, str(notebook),
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
        data = json.loads(lines[-1])
        self.answer(int(data.pop("code", 200)), data)


class Page(JupyterHandler):
    """A feedback page in a tab of its own: the same page the panel's frame shows, served under a
    policy that makes it a sandboxed document of no origin, with no script."""

    def initialize(self, lab: AutograderLab):
        self.lab = lab

    @property
    def content_security_policy(self) -> str:
        return PAGE_POLICY

    @tornado.web.authenticated
    def get(self, key: str):
        page = self.lab.pages.get(key)
        if page is None:
            raise tornado.web.HTTPError(404, "这个反馈页面已经不在了（Jupyter 服务器重启过）；请再检查一次。")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(page)
