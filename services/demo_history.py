"""A year of demo reports across Shaanxi (issue 16.2): every city, every state, dated over 12 months.

Reports are submitted and worked through the real diagram (as `demo_reports` does), then dated back:
each report's rows — submission, tasks, timeline events, notices, instance — are moved so that it was
submitted on its demo day and handled over a plausible span, keeping their order. Open reports are moved
with their waiting timers (`engine.shift_pending_timers`), so deadlines that would have passed fire now,
exactly as the scheduler would have fired them: the overdue marks are the engine's own.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engine import shift_pending_timers
from storage.models import (
    DirectorAck, HumanTask, InstanceEvent, InstanceStatus, MonitoringPoint, MonitoringPointKind, Notification, ProcessInstance, Report,
    ReportStatus, User, utcnow,
)

from .admin_actions import terminate_instance
from .context import Env
from .demo_province import Site, seed_province_people
from .demo_reports import (
    centre_round, city_step, county_step, province_guides, rectify_and_close, seed_demo_reports, work,
)
from .reports import ReportInput, submit_report

# (source, kind, equipment type, risk level, title, content) — our own text, in the reporters' words
SAMPLES = [
    ("unit", "risk_hazard", "3110", "major", "乘客电梯层门门锁回路被短接",
     "日常巡查发现3号乘客电梯层门门锁回路被维保人员用导线短接，电梯可在层门未锁闭时运行，已立即停梯并封存导线。"),
    ("agency", "problem", "2130", "significant", "反应釜安全阀超期未校验",
     "监督检查中发现某化工企业2台第三类压力容器的安全阀校验有效期已过4个月，企业称校验机构排期未到。"),
    ("inspect", "risk_hazard", "4150", "major", "冶金起重机制动器磨损超标",
     "定期检验发现铸造车间冶金桥式起重机主起升机构制动器衬垫磨损超过原厚度50%，制动力矩不足。"),
    ("unit", "problem", "5110", "general", "叉车司机无证上岗",
     "仓储区发现2名叉车司机未取得特种设备作业人员证即上岗作业，已调离岗位并安排培训取证。"),
    ("agency", "risk_hazard", "8210", "major", "燃气管道被违章占压",
     "巡查发现城区中压燃气管道上方新建临时板房，管道埋深不足且无警示标志，存在第三方破坏风险。"),
    ("unit", "risk_hazard", "6200", "significant", "滑行车安全压杠锁紧装置失灵",
     "营业前检查发现滑行车第4节车厢安全压杠锁紧装置偶发不能锁止，已停止该设备运营并通知制造单位。"),
    ("inspect", "problem", "1100", "general", "锅炉水处理不达标",
     "检验时化验锅炉给水硬度超标，锅筒内壁有明显水垢，使用单位未按规定开展水质监测。"),
    ("unit", "suggestion", "3310", None, "建议商场自动扶梯加装防攀爬装置",
     "节假日客流大，儿童攀爬扶梯扶手带的情况时有发生，建议在扶梯入口加装防攀爬挡板并设置安全提示广播。"),
    ("agency", "problem", "2310", "significant", "气瓶充装前未逐只检查",
     "抽查充装记录发现液化石油气充装站存在充装前检查记录代签、漏记现象，部分超期未检气瓶被充装。"),
    ("unit", "risk_hazard", "9110", "major", "客运索道钢丝绳断丝增加",
     "索道日检发现运载索局部断丝数较上月明显增加，接近报废标准，已降速运行并申请专项检测。"),
    ("inspect", "suggestion", "3110", None, "建议统一老旧电梯改造技术要求",
     "辖区内使用15年以上的住宅电梯占比较高，改造方案五花八门，建议出台全省统一的老旧电梯改造技术指引。"),
    ("agency", "risk_hazard", "4210", "general", "门式起重机轨道基础沉降",
     "建材企业室外门式起重机轨道局部沉降约3厘米，车轮啃轨明显，雨季可能进一步加剧。"),
    ("unit", "problem", "2150", "general", "储气罐压力表未定期检定",
     "自查发现空压站2台储气罐压力表检定标签已过期，已更换为检定合格的压力表。"),
    ("inspect", "risk_hazard", "8310", "significant", "工艺管道焊缝存在裂纹",
     "在役检验对工艺管道焊缝进行射线检测，发现2处焊缝存在裂纹显示，需停用并返修。"),
    ("agency", "suggestion", "5200", None, "建议加强景区观光车季节性检查",
     "旅游旺季景区观光车运行强度大，建议在旺季前组织一次集中检查，重点查制动和转向系统。"),
    ("unit", "risk_hazard", "1200", "significant", "热水锅炉超压运行",
     "夜班巡检发现热水锅炉出口压力持续高于额定值，安全阀未起跳，已降负荷运行并联系维保单位。"),
]
SOURCE_OF = {"agency": "agency_reporter", "unit": "unit_reporter", "inspect": "inspect_reporter"}
# Where each province report is left, in turn; every status and tier appears.
STAGES = ["closed_county", "open", "closed_city", "rectifying", "closed_province", "consult", "at_province",
          "closed_county", "closed_city", "open", "terminated", "closed_province", "province_decision",
          "province_verification"]
CLOSED_SPAN_DAYS = (3, 9, 16, 28)
WAITING = (InstanceStatus.USER_INPUT_REQUIRED, InstanceStatus.WAITING)


def _domain(point: MonitoringPoint) -> str:
    return {MonitoringPointKind.SUPERVISION_AGENCY: "administrative_supervision",
            MonitoringPointKind.INSPECTION_INSTITUTION: "inspection_testing",
            MonitoringPointKind.PRODUCTION_FILLING_UNIT: "production"}.get(point.kind, "use")


def _advance(env: Env, rid: int, stage: str, risk: str) -> None:
    """Work the report to `stage` along whatever path the diagram gives it (韩城 enters at the city)."""
    if stage == "open":
        return
    if work(env, rid, "center_summary", {"summary_note": "已纳入全省意见建议汇总。", "reply": "感谢您的建议，已转有关处室研究。"}):
        return
    if stage == "closed_county" and county_step(env, rid, risk, "resolve"):
        return
    county_step(env, rid, risk, "escalate")
    decision = {"closed_county": "resolve", "closed_city": "resolve", "consult": "consult"}.get(stage, "escalate")
    if city_step(env, rid, risk, decision) and decision != "escalate":
        return
    if stage == "at_province":
        return
    centre_round(env, rid, risk)
    if stage == "province_decision":
        return
    province_guides(env, rid)
    if stage in ("closed_province", "province_verification"):
        rectify_and_close(env, rid, close=stage == "closed_province")


def _submit(env: Env, site: Site, index: int) -> tuple[Report, str]:
    source, kind, equipment, risk, title, content = SAMPLES[index % len(SAMPLES)]
    user = env.session.scalar(select(User).where(User.username == getattr(site, SOURCE_OF[source])))
    point = env.session.get(MonitoringPoint, user.monitoring_point_id)
    report = submit_report(env, user, ReportInput(kind=kind, domain=_domain(point), equipment_type_code=equipment,
                                                  title=title, content=content))
    return report, risk or "general"


def seed_province_reports(env: Env, sites: list[Site], per_site: int = 2) -> int:
    """Submit reports from every site and leave them at every stage; returns how many."""
    admin = env.session.scalar(select(User).where(User.username == "admin"))
    made = 0
    for round_ in range(per_site):
        for position, site in enumerate(sites):
            index = round_ * len(sites) + position
            report, risk = _submit(env, site, index)
            stage = STAGES[index % len(STAGES)]
            if SAMPLES[index % len(SAMPLES)][0] == "unit" and index % 3:  # the rest stay 待确认
                work(env, report.id, "director_acknowledge", {
                    "handling_arrangement": "已停用设备，安排维保单位检修并组织安全员复查。",
                    "responsible_person": "设备科负责人", "handling_deadline": "2026-12-31"})
            if stage == "terminated":
                instance = env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report.id))
                terminate_instance(env, admin, instance.id, "与同一单位此前报送的同一问题重复，已合并办理")
            else:
                _advance(env, report.id, stage, risk)
            made += 1
    return made


def _moved(start, old_start, factor):
    return lambda t: None if t is None else start + (t - old_start) * factor


def _last_step(session, report: Report):
    """When the report's latest row was written (its own steps, not the reports seeded after it)."""
    times = [session.scalar(select(func.max(InstanceEvent.created_at)).where(InstanceEvent.report_id == report.id)),
             session.scalar(select(func.max(HumanTask.created_at)).where(HumanTask.report_id == report.id)),
             report.closed_at, report.submitted_at]
    return max(t for t in times if t is not None)


def _date_back(env: Env, report: Report, start, span: timedelta) -> timedelta:
    """Move the report's rows so it starts at `start` and its last step lands `span` later; returns the shift
    of its latest row (for its waiting timers)."""
    session = env.session
    old_start, old_end = report.submitted_at, _last_step(session, report)
    move = _moved(start, old_start, span / max(old_end - old_start, timedelta(milliseconds=1)))
    report.submitted_at, report.closed_at = move(report.submitted_at), move(report.closed_at)
    for task in session.scalars(select(HumanTask).where(HumanTask.report_id == report.id)):
        created = move(task.created_at)
        task.due_at = task.due_at + (created - task.created_at) if task.due_at else None
        task.created_at, task.completed_at = created, move(task.completed_at)
        task.claimed_at, task.overdue_at, task.last_urged_at = (move(task.claimed_at), move(task.overdue_at),
                                                                move(task.last_urged_at))
    for event in session.scalars(select(InstanceEvent).where(InstanceEvent.report_id == report.id)):
        event.created_at = move(event.created_at)
    for note in session.scalars(select(Notification).where(Notification.report_id == report.id)):
        note.created_at, note.read_at = move(note.created_at), move(note.read_at)
    instance = session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report.id))
    instance.created_at, instance.updated_at = move(instance.created_at), move(instance.updated_at)
    instance.completed_at = move(instance.completed_at)
    return move(old_end) - old_end


def _open_age(i: int, report: Report) -> timedelta:
    if report.director_ack == DirectorAck.PENDING and i % 2 == 0:
        return timedelta(hours=5 + i % 12)  # so recent that the safety director still has time to acknowledge
    return timedelta(days=2 + (i * 29) % 40, hours=3 + i % 8)


def date_reports_back(env: Env, days: int = 360) -> None:
    """Spread the reports over the past `days`: finished ones across the year, open ones in recent weeks."""
    session = env.session
    now = utcnow()
    reports = list(session.scalars(select(Report).order_by(Report.id)))
    finished = [r for r in reports if r.status in (ReportStatus.CLOSED, ReportStatus.TERMINATED)]
    open_ = [r for r in reports if r not in finished]
    shifts = {}  # a closed report may still wait for its safety director's acknowledgement
    for i, report in enumerate(finished):
        age = 30 + (i * (days - 30)) // max(len(finished), 1)
        span = timedelta(days=CLOSED_SPAN_DAYS[i % len(CLOSED_SPAN_DAYS)], hours=5 + i % 7)
        shifts[report.id] = _date_back(env, report, now - timedelta(days=age, hours=i % 9), span)
    for i, report in enumerate(open_):
        age = _open_age(i, report)
        # the steps so far took a day or three; the open task has waited since
        worked = min(timedelta(days=i % 4, hours=2 + i % 5), age / 2)
        shifts[report.id] = _date_back(env, report, now - age, worked)
    session.commit()
    for report_id, shift in shifts.items():
        _move_timers(env, report_id, shift)


def _move_timers(env: Env, report_id: int, shift: timedelta) -> None:
    """Date the report's waiting timers back too; those now past fire in this step."""
    instance = env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == report_id))
    if instance.status not in WAITING:
        return
    env.store.step(env.session, instance, lambda workflow: shift_pending_timers(workflow, shift))
    env.session.commit()


def seed_demo_history(env: Env, xian_reports: int = 12, per_site: int = 2) -> int:
    """The whole demo history: 西安's sample reports, the province's, all dated over the past year."""
    shared_hash = env.session.scalar(select(User.password_hash).where(User.username == "admin"))
    sites = seed_province_people(env.session, shared_hash)
    env.session.commit()
    made = seed_demo_reports(env, how_many=xian_reports)
    made += seed_province_reports(env, sites, per_site)
    date_reports_back(env)
    return made

