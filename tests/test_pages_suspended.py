"""Officers see when an admin has suspended a task's process: marked in the inbox, locked on the task page."""
from __future__ import annotations

import re

from sqlalchemy import select

from services import admin_actions
from storage.models import ProcessInstance, User
from web import env as make_env
from web.extensions import db
from pages_helpers import signed_in, token

FORM = {"decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": "4"}


def _as_admin(app, action, report_id: int) -> None:
    with app.app_context():
        try:
            e = make_env()
            admin = e.session.scalar(select(User).where(User.username == "admin"))
            iid = e.session.scalar(select(ProcessInstance.id).where(ProcessInstance.report_id == report_id))
            action(e, admin, iid, "核实报送真实性")
        finally:
            db.session.remove()


def _row(html: str, tracking_no: str) -> str:
    return re.search(r"<tr[^>]*>\s*<td data-label=\"跟踪编号\">" + tracking_no + r".*?</tr>", html, re.S).group(0)


def _submit_button(html: str) -> str:
    return re.search(r'<button type="submit" class="primary"[^>]*>提交办理</button>', html).group(0)


def test_suspended_task_is_marked_and_locked_until_resumed(app, api):
    report, other = api.submit(), api.submit(title="锅炉安全阀校验过期", equipment_type_code="1100")
    tid = api.task("county.610113", report["id"], "county_disposal")["id"]
    client = signed_in(app, "county.610113")
    _as_admin(app, admin_actions.suspend_instance, report["id"])

    inbox = client.get("/tasks").get_data(as_text=True)
    row = _row(inbox, report["tracking_no"])
    assert 'class="row-suspended"' in row or " row-suspended" in row
    assert '<span class="tag-suspended"' in row and ">已挂起</span>" in row
    assert re.search(r"<button type=\"submit\" disabled>认领</button>", row)
    other_row = _row(inbox, other["tracking_no"])
    assert "已挂起" not in other_row and "<button type=\"submit\">认领</button>" in other_row

    page = client.get(f"/tasks/{tid}").get_data(as_text=True)
    assert 'id="suspended-notice"' in page and "管理员已挂起该流程" in page
    assert " disabled" in _submit_button(page)
    assert "<button type=\"submit\" disabled>认领任务</button>" in page

    res = client.post(f"/tasks/{tid}/complete", data={**FORM, "csrf_token": token(client, f"/tasks/{tid}")})
    assert res.status_code == 302  # the service still refuses (409) and the inbox says why
    assert "该流程已被管理员挂起，暂不能办理" in client.get("/tasks").get_data(as_text=True)
    assert api.task("county.610113", report["id"], "county_disposal")["id"] == tid

    _as_admin(app, admin_actions.resume_instance, report["id"])
    inbox = client.get("/tasks").get_data(as_text=True)
    assert "已挂起" not in _row(inbox, report["tracking_no"]) and "row-suspended" not in inbox
    page = client.get(f"/tasks/{tid}").get_data(as_text=True)
    assert "suspended-notice" not in page and "disabled" not in _submit_button(page)
    res = client.post(f"/tasks/{tid}/complete", data={**FORM, "csrf_token": token(client, f"/tasks/{tid}")})
    assert res.status_code == 302
    assert "已办理“县级处置”" in client.get("/tasks").get_data(as_text=True)
