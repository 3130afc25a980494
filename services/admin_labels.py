"""Plain words for the admin console: element, division and point names, event kinds, and the filter pickers."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from engine.element_labels import ElementNameCache
from storage.models import (
    INSTANCE_STATUS_LABELS, Division, InstanceStatus, MonitoringPoint, ProcessInstance, ProcessVersion, VersionState,
)

from .context import Env
from .directory import user_names

EVENT_KIND_LABELS = {
    "submitted": "信息报送", "registered": "登记编号", "entered": "进入处置", "task_created": "生成待办",
    "task_claimed": "认领待办", "task_completed": "办理完成", "task_cancelled": "待办结束", "task_urged": "督办",
    "task_transferred": "转办", "taken_over": "提级办理", "returned_to_reporter": "退回补充",
    "timer_fired": "定时器触发", "reminder": "到期提醒", "overdue": "超期", "director_notified": "通知安全总监",
    "director_acknowledged": "安全总监确认", "director_overdue": "安全总监超期", "guidance_dispatched": "下发指导意见",
    "panel": "会签", "closed": "办结", "error": "服务任务出错", "migrated": "迁移版本",
    "attachment_added": "上传附件", "extension_requested": "申请延期", "extension_approved": "批准延期",
    "extension_refused": "不予延期", "deadline_moved": "期限顺延", "topic_joined": "并入专题", "topic_left": "移出专题",
    "stuck_alerted": "卡滞提醒", "safety_director_assigned": "登记安全总监", "safety_director_removed": "移除安全总监",
    "reporter_registered": "登记信息报送员", "sessions_revoked": "会话失效", "password_reset": "重置密码",
    "admin_retry": "管理员重试", "admin_skip": "管理员跳过", "admin_suspend": "管理员挂起",
    "admin_resume": "管理员恢复", "admin_terminate": "管理员终止", "admin_reset": "管理员回退",
    "admin_edit_data": "管理员修改数据", "admin_reassign": "管理员转交任务", "admin_release": "管理员强制释放任务",
    "admin_user_created": "创建账户", "admin_user_updated": "修改账户", "admin_user_deactivated": "停用账户",
    "admin_user_reactivated": "启用账户", "admin_setting_changed": "修改系统设置",
}
NAME_CACHE = ElementNameCache()
STATUS_VALUES = frozenset(s.value for s in InstanceStatus)
VERSION_STATE_LABELS = {VersionState.DRAFT: "草稿", VersionState.PUBLISHED: "已发布", VersionState.RETIRED: "已停用"}


def event_kind_label(kind: str) -> str:
    """The Chinese name of an event kind (the code itself for a kind this table does not know)."""
    return EVENT_KIND_LABELS.get(kind, kind)


@dataclass
class Names:
    """Look-ups for one page: element names per version, division names, monitoring point names."""

    elements: dict[int, dict[str, str]] = field(default_factory=dict)
    divisions: dict[str, str] = field(default_factory=dict)
    points: dict[int, str] = field(default_factory=dict)

    def element(self, version_id: int | None, element_id: str | None) -> str:
        """The element's name in that version's diagram (its id when unnamed or unknown)."""
        if not element_id:
            return ""
        return self.elements.get(version_id, {}).get(element_id, element_id)

    def division(self, code: str | None) -> str:
        """The division's name (its code when unknown)."""
        return self.divisions.get(code, code or "") if code else ""

    def point(self, point_id: int | None) -> str:
        """The monitoring point's name."""
        return self.points.get(point_id, f"监测点 {point_id}") if point_id else ""


def names_for(env: Env, version_ids=(), division_codes=(), point_ids=()) -> Names:
    """Everything a page needs to show names instead of codes, in three queries at most."""
    return Names(elements=version_element_names(env, version_ids), divisions=_division_names(env, division_codes),
                 points=_point_names(env, point_ids))


def version_element_names(env: Env, version_ids) -> dict[int, dict[str, str]]:
    """version id → {element id → Chinese name}, read from each version's diagram."""
    wanted = {i for i in version_ids if i}
    if not wanted:
        return {}
    return _names_by_version(env, select(ProcessVersion.id, ProcessVersion.content_hash)
                             .where(ProcessVersion.id.in_(wanted)))


def _names_by_version(env: Env, stmt) -> dict[int, dict[str, str]]:
    """Names for each (id, content hash) row; the XML is read only for diagrams not seen before."""
    rows = env.session.execute(stmt).all()
    result = {vid: NAME_CACHE.get(key) for vid, key in rows}
    missing = [vid for vid, names in result.items() if names is None]
    if missing:
        for vid, key, xml in env.session.execute(select(ProcessVersion.id, ProcessVersion.content_hash,
                                                        ProcessVersion.bpmn_xml).where(ProcessVersion.id.in_(missing))):
            result[vid] = NAME_CACHE.names(xml, key)
    return result


def _division_names(env: Env, codes) -> dict[str, str]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return dict(env.session.execute(select(Division.code, Division.name).where(Division.code.in_(wanted))).all())


def _point_names(env: Env, ids) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(env.session.execute(select(MonitoringPoint.id, MonitoringPoint.name)
                                    .where(MonitoringPoint.id.in_(wanted))).all())


def element_choices(env: Env) -> list[tuple[str, str]]:
    """(element id, label) of every named step in any version, the published version's order first."""
    by_version = _names_by_version(env, select(ProcessVersion.id, ProcessVersion.content_hash).order_by(
        (ProcessVersion.state == VersionState.PUBLISHED).desc(), ProcessVersion.id.desc()))
    choices: dict[str, str] = {}
    for names in by_version.values():
        for element_id, name in names.items():
            choices.setdefault(element_id, name)
    counts: dict[str, int] = {}
    for name in choices.values():
        counts[name] = counts.get(name, 0) + 1
    return [(eid, name if counts[name] == 1 and name != eid else f"{name}（{eid}）") for eid, name in choices.items()]


def version_choices(env: Env) -> list[tuple[int, str]]:
    """(version id, “流程 第 n 版（状态）”), newest first."""
    rows = env.session.execute(select(ProcessVersion.id, ProcessVersion.process_id, ProcessVersion.version,
                                      ProcessVersion.state).order_by(ProcessVersion.process_id,
                                                                     ProcessVersion.version.desc()))
    return [(vid, f"{pid} 第 {n} 版（{VERSION_STATE_LABELS[state]}）") for vid, pid, n, state in rows]


def division_choices(env: Env) -> list[tuple[str, list[tuple[str, str]]]]:
    """Divisions grouped by city for a <select>: [(group label, [(code, name)])], the province first."""
    rows = list(env.session.scalars(select(Division).order_by(Division.code)))
    cities = [d for d in rows if d.level == "city"]
    groups: list[tuple[str, list[tuple[str, str]]]] = [
        ("全省", [(d.code, f"{d.name}（全省）") for d in rows if d.level == "province"])]
    for city in cities:
        members = [(city.code, f"{city.name}（全市）")]
        members += [(d.code, d.name) for d in rows if d.level == "county"
                    and (d.supervising_code or d.parent_code) == city.code]
        groups.append((city.name, members))
    return [g for g in groups if g[1]]


def filter_choices(env: Env) -> dict:
    """The pickers of the instance filters: steps, versions and divisions by their Chinese names."""
    return {"elements": element_choices(env), "versions": version_choices(env), "divisions": division_choices(env)}


AUDIT_FIELD_LABELS = {
    "status_before": "原状态", "status_after": "新状态", "error_before": "原错误", "data": "代替处理结果的数据",
    "cancelled_tasks": "结束的待办", "task_id": "任务编号", "before": "修改前", "after": "修改后",
    "removed": "删除的字段", "claimed_before": "原认领人", "claimed_after": "现认领人", "elements": "重试的环节",
    "error_after": "现错误", "setting": "设置项", "key": "设置标识", "value_before": "原取值", "value_after": "新取值",
}


def audit_details(env: Env, events) -> dict[int, dict]:
    """event id → {"element": the step's name, "changes": [(Chinese field name, value)]} for the audit page."""
    events = list(events)
    versions = dict(env.session.execute(select(ProcessInstance.id, ProcessInstance.process_version_id).where(
        ProcessInstance.id.in_({e.instance_id for e in events if e.instance_id}))).all()) if events else {}
    people = {v for e in events for k, v in (e.data or {}).items() if k.startswith("claimed_") and isinstance(v, int)}
    names = names_for(env, version_ids=versions.values())
    users = user_names(env, people)
    details = {}
    for e in events:
        version = versions.get(e.instance_id)
        element = names.element(version, e.element_id)
        message = e.message.replace(f"“{e.element_id}”", f"“{element}”") if e.element_id else e.message
        data = dict(e.data or {})
        if isinstance(data.get("elements"), list):
            data["elements"] = [names.element(version, str(x)) for x in data["elements"]]
        details[e.id] = {"element": element, "message": message,
                         "changes": [(AUDIT_FIELD_LABELS.get(k, k), _audit_value(k, v, users))
                                     for k, v in data.items() if k != "reason"]}
    return details


def _audit_value(key: str, value, users: dict[int, str]) -> str:
    if key.startswith("status_") and value in STATUS_VALUES:
        return INSTANCE_STATUS_LABELS[InstanceStatus(value)]
    if key.startswith("claimed_"):
        return users.get(value, "（无）") if value else "（无）"
    if isinstance(value, dict):
        return "；".join(f"{k}：{_plain(v)}" for k, v in value.items()) or "（无）"
    return _plain(value)


def _plain(value) -> str:
    if value is None or value == [] or value == "":
        return "（无）"
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value)
    return str(value)
