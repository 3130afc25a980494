"""The main pages as several roles in Chromium under the Content-Security-Policy: nothing is refused."""
from __future__ import annotations

import pytest

from owner_diagrams import seed_xml, upload, with_county_deadline

pytestmark = pytest.mark.browser

# Playwright injects this outside the page's policy; it records what the policy refused.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " @" + e.sourceFile + ":" + e.lineNumber);
});
"""
READY = {"/processes/modeler": "#modeler-app[data-ready='1']", "/admin/instances/": "#admin-diagram[data-ready='true']",
         "/tasks/": "#diagram[data-ready='1']", "/decisions/": "#decision-app[data-ready='1']",
         "/processes/diff": "#diff-app[data-ready='1']"}


class Watcher:
    """Console CSP errors, violation events and script errors of one person's browser, page by page."""

    def __init__(self, session):
        self.session, self.problems = session, []
        session.context.add_init_script(RECORD_VIOLATIONS)
        session.page.on("console", self._console)
        session.page.on("pageerror", lambda exc: self.problems.append(f"{self.here}: script error {exc}"))
        self.here = ""

    def _console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"{self.here}: {message.text}")

    def visit(self, path: str, expect_status: int = 200):
        self.here = path
        response = self.session.page.goto(self.session.base + path)
        assert response.status == expect_status, (path, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        for marker, selector in READY.items():
            if marker in path:
                self.session.page.wait_for_selector(selector)
        self.session.page.wait_for_load_state("networkidle")
        self.problems += [f"{path}: {v}" for v in self.session.page.evaluate("window.__csp || []")]


def _person(open_session, username):
    session = open_session()
    watcher = Watcher(session)
    session.login(username)
    session.page.wait_for_load_state("networkidle")
    return watcher


def test_main_pages_raise_no_csp_violations(open_session, api):
    agency = api.submit("reporter.agency")
    unit = api.submit("reporter.unit", title="商场自动扶梯梯级缺损")
    county_task = api.task("county.610113", agency["id"], "county_disposal")
    instance = api.get("/admin/instances?per_page=1", "admin").get_json()["items"][0]
    version = api.get("/process-versions", "owner").get_json()["items"][0]["id"]
    draft = upload(api, with_county_deadline(seed_xml(), "P5D"))
    assert draft.status_code == 201, draft.get_json()
    draft = draft.get_json()["id"]
    visits = {
        "county.610113": ["/tasks", f"/tasks/{county_task['id']}", f"/reports/{agency['id']}", "/reports", "/stats",
                          "/stats/quality", "/cases", "/points", "/notifications",
                          "/account/password", "/account/notifications"],
        "reporter.unit": ["/reports/new", "/reports", f"/reports/{unit['id']}"],
        "director.unit": ["/tasks", f"/reports/{unit['id']}"],
        "owner": ["/processes", "/processes/modeler", "/processes/topics", f"/processes/diff?from={version}&to={draft}",
                  f"/processes/{version}/decisions/new?decision_id=csp_check&name=检查"],
        "admin": ["/admin", f"/admin/instances/{instance['id']}", "/admin/audit", "/points"],
        "center": ["/topics", "/cases", "/stats"],
        "province": ["/stats/reports", "/topics"],
    }
    problems = []
    for username, paths in visits.items():
        watcher = _person(open_session, username)
        for path in paths:
            watcher.visit(path)
        if username == "county.610113":
            watcher.visit("/reports/999999999", expect_status=404)  # the error page and its back link
        problems += watcher.problems
    assert problems == []


def test_the_watcher_sees_a_refused_inline_script(open_session):
    """The check above can fail: an inline script injected into a page is reported."""
    watcher = _person(open_session, "county.610113")
    watcher.visit("/tasks")
    watcher.session.page.evaluate("""() => {
        const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s); }""")
    watcher.session.page.wait_for_timeout(200)
    watcher.problems += [v for v in watcher.session.page.evaluate("window.__csp || []")]
    assert watcher.session.page.evaluate("window.ran") is None
    assert any("script-src" in p for p in watcher.problems)
