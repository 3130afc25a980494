"""Browser fixtures: the real app served by werkzeug in a thread, and Chromium driven by Playwright."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from web import create_app
from web.extensions import db

CHROMIUM = "/usr/bin/chromium"
PROJECT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT / "test-artifacts" / "screenshots"
DESK, PHONE = {"width": 1280, "height": 900}, {"width": 375, "height": 812}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(config, items):
    """Skip every browser test, saying why, when Chromium is not installed."""
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} 不存在：跳过浏览器测试（apt-get install -y chromium）")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def live_server(settings):
    """The application on 127.0.0.1:<free port> against a fresh copy of the template database."""
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (closed before the rest of the suite runs)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} 不存在：跳过浏览器测试")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Session:
    """One person in their own browser context (own cookies), at a given viewport."""

    def __init__(self, browser, base: str, viewport: dict):
        self.base = base
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()

    def goto(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def login(self, username: str, password: str = "Demo#2026"):
        page = self.goto("/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        return page

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def open_session(browser, live_server):
    """Factory: open_session("desk" | "phone") → a Session; all are closed after the test."""
    sessions = []

    def factory(width: str = "desk"):
        session = Session(browser, live_server, PHONE if width == "phone" else DESK)
        sessions.append(session)
        return session

    yield factory
    for session in sessions:
        session.close()
