"""Downloads named after what an owner typed: a decision table (or process) id may be a Chinese identifier,
and a header value that is not Latin-1 cannot be sent by a WSGI server (PEP 3333; gunicorn fails the
answer). The file name travels as RFC 5987 filename*=UTF-8''… beside an ASCII fallback."""
from __future__ import annotations

from urllib.parse import unquote

from services.decisions import new_table_xml

from pages_helpers import signed_in, token


def _sendable(res) -> None:
    for name, value in res.headers.to_wsgi_list():
        value.encode("latin-1")  # what a WSGI server does with every header


def test_a_chinese_decision_table_id_downloads_with_a_sendable_header(app, api):
    owner = signed_in(app, "owner")
    saved = owner.post("/processes/1/decisions", json={"xml": new_table_xml("入口决策", "入口决策表")},
                       headers={"X-CSRF-Token": token(owner, "/processes")})
    assert saved.status_code == 201, saved.get_data(as_text=True)[:300]
    version = saved.get_json()["id"]
    for res in (owner.get(f"/processes/{version}/decisions/入口决策/xml"),
                api.get(f"/process-versions/{version}/decisions/入口决策", "owner")):
        assert res.status_code == 200
        _sendable(res)
        disposition = res.headers["Content-Disposition"]
        assert unquote(disposition.split("filename*=UTF-8''")[1]) == "入口决策.dmn"
        assert "<definitions" in res.get_data(as_text=True)
    for res in (owner.get(f"/processes/{version}/download"), owner.get(f"/processes/{version}/download?inline=1"),
                api.get(f"/process-versions/{version}/xml", "owner")):
        assert res.status_code == 200 and "<bpmn:definitions" in res.get_data(as_text=True)
        _sendable(res)
    assert owner.get(f"/processes/{version}/download?inline=1").headers["Content-Disposition"].startswith("inline")
