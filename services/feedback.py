"""Feedback to reporters: the outcome and the office that handled it, in plain words."""
from __future__ import annotations

from sqlalchemy import select

from handlers.routing import office_name, tier_office_code
from storage.models import HumanTask, InstanceEvent, Report, ReportStatus
from storage.repositories import add_event, add_notification

from .context import Env
from .outcomes import MEASURES, OPINION, recorded_values

RETURN_DECISION = "return_to_reporter"
REASON_FIELDS = ("return_reason", "reason")


def note_return_to_reporter(env: Env, task: HumanTask, form: dict, report: Report, data: dict, actor_id: int) -> None:
    """When a task is completed with 退回 to the reporter, tell the reporter why and who returned it (`form`: the
    task's form as shown, services/task_forms)."""
    if data.get("decision") != RETURN_DECISION:
        return
    words = recorded_values(form, data)
    texts = [data.get(k) for k in REASON_FIELDS] + [words.get(OPINION), words.get(MEASURES)]
    reason = next((str(t).strip() for t in texts if str(t or "").strip()), "请补充相关情况")
    office = office_name(env.session, task.division_code)
    add_notification(env.session, report.reporter_id, "feedback", f"您报送的信息被退回补充：{report.tracking_no}",
                     f"{office}退回，请补充：{reason}", report_id=report.id, link=f"/reports/{report.id}")
    add_event(env.session, "returned_to_reporter", f"{office}退回报送人补充：{reason}", instance_id=task.instance_id,
              report_id=report.id, element_id=task.element_id, actor_id=actor_id,
              data={"office": office, "reason": reason[:500]})


def feedback_texts(env: Env, reports: list[Report]) -> dict[int, str]:
    """For each report with news for its reporter: “已由雁塔区市场监管局处置完毕：……” or the latest 退回."""
    texts = {r.id: closed_text(env, r) for r in reports if r.status == ReportStatus.CLOSED}
    open_ids = [r.id for r in reports if r.status != ReportStatus.CLOSED]
    if open_ids:
        stmt = (select(InstanceEvent.report_id, InstanceEvent.message)
                .where(InstanceEvent.report_id.in_(open_ids), InstanceEvent.kind == "returned_to_reporter")
                .order_by(InstanceEvent.id))
        for report_id, message in env.session.execute(stmt):
            texts[report_id] = message
    return texts


def closed_text(env: Env, report: Report) -> str:
    """The outcome sentence of a closed report."""
    office = office_name(env.session, tier_office_code(report, report.resolved_tier))
    return f"已由{office}处置完毕：{report.outcome or '已办结'}"
