"""Demo reports from the shipped samples, walked to different points of the chain."""
from __future__ import annotations

from sqlalchemy import select

from storage.models import HumanTask, Report, TaskState, User, UserRole

from .context import Env
from .reports import ReportInput, submit_report
from .tasks import complete_task

KINDS = {"问题": "problem", "风险隐患": "risk_hazard", "意见建议": "suggestion"}
SOURCES = {
    "监察机构": ("reporter.agency", "administrative_supervision"),
    "检验检测机构": ("reporter.inspect", "inspection_testing"),
    "一级、二级管控单位": ("reporter.unit", "use"),
    "生产和充装单位": ("reporter.filling", "production"),
}
RISK = {"重大": "major", "较大": "significant", "一般": "general", "低": "low"}
DIRECTOR_OF = {"reporter.unit": "director.unit", "reporter.filling": "director.filling"}


def _user(env: Env, username: str) -> User:
    return env.session.scalar(select(User).where(User.username == username))


def _open_task(env: Env, report_id: int, element_id: str) -> HumanTask | None:
    return env.session.scalar(select(HumanTask).where(
        HumanTask.report_id == report_id, HumanTask.element_id == element_id, HumanTask.state == TaskState.OPEN))


def _holder(env: Env, task: HumanTask) -> User:
    """Someone who may work the task: its assignee, else an officer of its group in its division."""
    if task.assignee:
        return _user(env, task.assignee)
    where = (User.division_code == task.division_code if task.division_code
             else User.monitoring_point_id == task.monitoring_point_id)
    return env.session.scalar(select(User).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == task.candidate_group, where, User.active).order_by(User.id))


def work(env: Env, report_id: int, element_id: str, data: dict) -> bool:
    """Complete the report's open task at `element_id` as someone who may; False when it is not open."""
    task = _open_task(env, report_id, element_id)
    if task is None:
        return False
    complete_task(env, _holder(env, task), task.id, data)
    return True


def county_step(env, rid, risk, decision):
    """The county's disposal with `decision`; False when the report has no open county task."""
    return work(env, rid, "county_disposal", {"decision": decision, "measures": "已现场核查并督促使用单位落实整改。",
                                              "risk_level": risk, "quality_score": 4})


def city_step(env, rid, risk, decision):
    """The city's assessment (研判) with `decision`; False when none is open."""
    return work(env, rid, "city_assessment", {"decision": decision, "assessment_opinion": "市局研判意见。",
                                              "risk_level": risk, "quality_score": 4})


def province_round(env, rid, risk):
    """The centre's 会签 assessment, its consolidation and the province's guidance."""
    centre_round(env, rid, risk)
    province_guides(env, rid)


def province_guides(env, rid):
    """The province approves the centre's measures and guides the locality."""
    work(env, rid, "province_decision", {"decision": "guide", "measures_approved": True, "guidance": "请属地督促落实。"})


def centre_round(env, rid, risk):
    """The centre's 会签 assessment and its consolidation, up to the province's decision."""
    work(env, rid, "center_select_panel", {"panel": ""})
    work(env, rid, "center_assessment", {
        "risk_level": risk, "hazard_grade": "major" if risk == "major" else "general",
        "assessment_summary": "省中心专家分类研判结论。", "mitigation_measures": "开展专项排查，限期整改。",
        "quality_score": 5})
    work(env, rid, "center_consolidation", {"decision": "to_province", "consolidated_opinion": "同意专家意见。"})


def _walk(env: Env, stage: int, report: Report, reporter: str, risk: str) -> None:
    """Move a report as far as its stage says, along whatever path the diagram gave it."""
    rid = report.id
    if reporter in DIRECTOR_OF and stage % 2 == 1:
        work(env, rid, "director_acknowledge", {
            "handling_arrangement": "已停用设备并安排维保单位检修。", "responsible_person": "设备科负责人",
            "handling_deadline": "2026-12-31"})
    if stage == 0:
        return
    if work(env, rid, "center_summary", {"summary_note": "已纳入全省意见建议汇总。", "reply": "感谢您的建议。"}):
        return
    if county_step(env, rid, risk, "resolve" if stage == 1 else "escalate") and stage == 1:
        return
    if city_step(env, rid, risk, {1: "resolve", 2: "resolve", 4: "consult"}.get(stage, "escalate")) and stage in (1, 2, 4):
        return
    province_round(env, rid, risk)
    if stage == 3:
        rectify_and_close(env, rid)


def rectify_and_close(env: Env, rid: int, close: bool = True) -> None:
    """The locality reports the rectification, the city checks it, the province closes the report."""
    work(env, rid, "local_rectification", {"rectification_result": "已按指导意见完成整改。",
                                           "rectified_on": "2026-11-20"})
    work(env, rid, "city_rectification_check", {"decision": "confirm", "check_opinion": "经核查，整改到位。"})
    if close:
        work(env, rid, "province_verification", {"decision": "close", "verification_opinion": "同意销号。"})


def seed_demo_reports(env: Env, how_many: int = 30) -> int:
    """Submit sample reports and move them to varied states; returns how many were made."""
    from .demo import sample_reports

    made = 0
    for index, sample in enumerate(sample_reports()[:how_many]):
        reporter, domain = SOURCES[sample["source_point_kind"]]
        report = submit_report(env, _user(env, reporter), ReportInput(
            kind=KINDS[sample["kind"]], domain=domain, equipment_type_code=sample["equipment_type_code"],
            content=sample["text"]))
        _walk(env, index % 6, report, reporter, RISK.get(sample.get("suggested_risk_level"), "general"))
        made += 1
    return made
