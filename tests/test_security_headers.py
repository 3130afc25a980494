"""Content-Security-Policy on every page with no inline script to need an exception; no-store on private answers."""
from __future__ import annotations

import re
from pathlib import Path

from pages_helpers import signed_in

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"


def test_pages_and_api_carry_the_content_security_policy(app, api):
    for res in (app.test_client().get("/login"), signed_in(app, "county.610113").get("/tasks"),
                api.get("/me", "county.610113")):
        policy = res.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "object-src 'none'" in policy
        assert "unsafe-eval" not in policy and "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]


def test_signed_in_pages_and_api_answers_are_not_stored(app, api):
    assert signed_in(app, "county.610113").get("/tasks").headers["Cache-Control"] == "no-store"
    assert api.get("/me", "county.610113").headers["Cache-Control"] == "no-store"
    assert api.get("/reports", "county.610113").headers["Cache-Control"] == "no-store"


def test_static_files_may_still_be_cached(client):
    res = client.get("/static/css/app.css")
    assert res.status_code == 200 and res.headers.get("Cache-Control") != "no-store"
    res.close()


def test_no_template_has_inline_script_handlers_or_javascript_urls():
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                problems.append(f"{path.name}: inline {tag}")
        problems += [f"{path.name}: handler {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        problems += [f"{path.name}: javascript: URL" for _ in re.findall(r"javascript:", text, re.I)]
    assert problems == []
