"""The WeChat mini-program's own tests (`npm test` in miniprogram/), end to end against this app on a free port."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from storage.models import Attachment, InstanceEvent, Report, User
from web import create_app
from web.extensions import db

from app_helpers import run
from wechat_stub import WechatStub

PROJECT = Path(__file__).resolve().parent.parent
MINIPROGRAM = PROJECT / "miniprogram"
NPM = shutil.which("npm")
DEACTIVATED = "reporter.filling"


def _missing_reason() -> str | None:
    if NPM is None:
        return "未找到 npm：跳过小程序测试"
    if not (MINIPROGRAM / "node_modules" / "miniprogram-simulate").is_dir():
        return "miniprogram/node_modules 未安装：先运行 make test（或 cd miniprogram && npm ci）"
    return None


@pytest.fixture
def served(settings):
    """This app with WeChat pointed at a local code2session stub, served by werkzeug on 127.0.0.1:<free port>."""
    with WechatStub() as stub:
        app = create_app(replace(settings, wechat_appid=stub.appid, wechat_secret=stub.secret,
                                 wechat_api_base=stub.base))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="miniprogram-e2e", daemon=True)
        thread.start()
        try:
            yield app, f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def _deactivate(app, username: str) -> None:
    def fn(env):
        env.session.scalar(select(User).where(User.username == username)).active = False
        env.session.commit()
    run(app, fn)


def _npm_test(base: str, tmp_path: Path) -> dict:
    results = tmp_path / "jest.json"
    env = {**os.environ, "RISKMON_BASE_URL": base, "RISKMON_DEACTIVATED_USER": DEACTIVATED,
           "RISKMON_WECHAT_STUB": "1", "CI": "true"}
    proc = subprocess.run([NPM, "test", "--silent", "--", "--ci", "--json", f"--outputFile={results}"],
                          cwd=MINIPROGRAM, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-8000:]
    return json.loads(results.read_text())


@pytest.mark.slow
def test_npm_test_renders_every_page_and_runs_the_flows_against_a_live_server(served, tmp_path):
    reason = _missing_reason()
    if reason:
        pytest.skip(reason)
    app, base = served
    client = app.test_client()
    assert client.post("/api/v1/auth/token", json={"username": DEACTIVATED, "password": "Demo#2026"}).status_code == 200
    _deactivate(app, DEACTIVATED)

    report = _npm_test(base, tmp_path)

    tests = [t for suite in report["testResults"] for t in suite["assertionResults"]]
    skipped = [t["fullName"] for t in tests if t["status"] != "passed"]
    assert not skipped, f"小程序测试未全部执行：{skipped}"
    e2e = [t for t in tests if t["fullName"].startswith("端到端")]
    assert len(e2e) == 5 and report["numFailedTests"] == 0
    print(f"\nminiprogram: {report['numPassedTests']} passed, {report['numFailedTests']} failed")

    def check(env):
        rows = list(env.session.scalars(select(Report).where(Report.title.like("【小程序】%")).order_by(Report.id)))
        assert [bool(re.match(r"【小程序】电梯层门门锁失效", rows[0].title)), len(rows)] == [True, 2]
        for row in rows:
            files = list(env.session.scalars(select(Attachment).where(Attachment.report_id == row.id)))
            assert [f.content_type for f in files] == ["image/jpeg"]
        acknowledged = env.session.scalar(select(InstanceEvent).where(
            InstanceEvent.report_id == rows[0].id, InstanceEvent.kind == "task_completed",
            InstanceEvent.element_id == "director_acknowledge"))
        assert acknowledged is not None and "更换门锁" in acknowledged.data["handling_arrangement"]
    run(app, check)


def _api_paths_in_client() -> list[tuple[str, str]]:
    found = []
    for path in sorted(MINIPROGRAM.rglob("*.js")):
        if "node_modules" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        found += re.findall(r"""['"](GET|POST|PUT|PATCH|DELETE) (/[^'"\s]*)['"]""", text)
        if "tests" not in path.relative_to(MINIPROGRAM).parts and path.name != "api.js":
            assert not re.search(r"wx\.(request|uploadFile)\(", text), f"{path} 绕过 utils/api.js 直接发请求"
    return found


def test_every_api_path_the_mini_program_calls_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    calls = _api_paths_in_client()
    assert len(calls) >= 15
    missing = [f"{m} {p}" for m, p in calls if m.lower() not in paths.get(p, {})]
    assert not missing, f"小程序调用了 OpenAPI 文档中没有的接口：{missing}"
