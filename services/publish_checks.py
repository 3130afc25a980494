"""Publish = proven: a draft is dry-run on every path, and the names the product keys on are checked.

Which missing dependency refuses publish and which only warns (shown on the publish confirmation):

* refused — the diagram of `risk_disposal` (the process new reports start on) has none of CONTRACT's
  element ids, or no service task calls `register_report` or `close_report`: then every report goes
  unnumbered and unrouted, or is never closed, and everything downstream is wrong for every report;
* warned — any other CONTRACT element id, the topics `notify_safety_director`, `dispatch_guidance`,
  `mark_overdue`, `send_reminder`, and the outcomes statistics read — a form field declaring
  `records=risk_level`, `hazard_grade`, `quality_score`, `measures` or `opinion` (services/outcomes.py): one
  feature stops working, which an owner may intend (e.g. a pilot without the
  inspection institution), so they are told exactly what and decide.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from engine.dry_run import DryRunner, DryRunResult, dry_run
from engine.specs import BPMN_NS, bundle_key, executable_process_id, parse_bundle
from engine.xml_safety import parse_untrusted_xml
from handlers.outputs import DECLARED_OUTPUTS
from handlers.routing import GROUP_TIERS, REPORTER_GROUP, UNIT_GROUPS
from storage.models import Role

from .context import Env

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
REPORT_PROCESS_ID = "risk_disposal"
_MIGRATION = "运行中停在该步骤的实例无法迁移到此版本，按 element_id 查询待办的小程序与集成脚本找不到该步骤"
_DEMO = "演示数据（riskmon seed-demo）无法办理该步骤"

# (element id, what else stops working when it is missing); all are warnings, none at all is refused
CONTRACT_ELEMENTS = {
    "register_report": "",
    "notify_safety_director": "",
    "director_acknowledge": _DEMO,
    "county_disposal": _DEMO,
    "city_assessment": "任务页的“相似报送”面板不再显示；" + _DEMO,
    "inspection_consultation": "",
    "center_assessment": "任务页的“相似报送”面板与风险减缓措施模板不再显示；" + _DEMO,
    "province_decision": _DEMO,
    "dispatch_guidance": "",
    "local_rectification": _DEMO,
    "province_verification": _DEMO,
    "close_report": "",
}
# topic → (refused when missing, what stops working)
TOPIC_DEPENDENCIES = {
    "register_report": (True, "报送不会编号，也不确定进入层级与属地县、市：县、市级任务无法分派到属地，"
                              "报送列表、处置单与按层级、按地区统计全部失效"),
    "close_report": (True, "报送永远不会办结（状态停在“处置中”，没有办结时间和办结层级）：办结率、按时办结率、"
                           "按办结层级统计与办理时长统计失效"),
    "notify_safety_director": (False, "企业报送不再通知本单位安全总监，安全总监通知回执失效"),
    "dispatch_guidance": (False, "省局指导意见不会下达属地，报送状态不会变为“整改中”"),
    "mark_overdue": (False, "办理逾期不会被标记：逾期率、按时办结率统计失效"),
    "send_reminder": (False, "不会发送到期前的办理提醒"),
}
FIELD_DEPENDENCIES = {
    "risk_level": "风险等级不会记录到报送：按风险等级统计、重大风险清单（定期报告）失效",
    "hazard_grade": "隐患等级不会记录到报送：定期报告中的隐患等级为空",
    "quality_score": "信息质量评分不会记录：监测点与报送员的信息质量排名、表彰名单失效",
    "measures": "处置措施不会记录到报送：报送详情与处置单不显示最近一级的处置措施，办结时的处置结果只能按旧字段名查找",
    "opinion": "办理意见不会记录到报送：报送详情与处置单不显示最近一级的办理意见，办结时的处置结果只能按旧字段名查找",
}


@dataclass
class PublishFindings:
    """What the dry run and the dependency check found: problems refuse publish, warnings are shown."""

    paths: int = 0
    problems: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"ok": self.ok, "paths": self.paths, "problems": self.problems, "warnings": self.warnings}


def resolvable_group(group: str) -> bool:
    """A task of this group lands in a jurisdiction (handlers.routing.assign knows the group's tier), or
    with the report's unit or its own reporter."""
    return group in GROUP_TIERS or group in UNIT_GROUPS or group == REPORTER_GROUP


class _Cache:
    """Dry-run results per diagram and decision tables (a version never changes once stored)."""

    def __init__(self, limit: int = 64):
        self._items: dict[str, DryRunResult] = {}
        self._lock = threading.Lock()
        self._limit = limit

    def get(self, key: str):
        return self._items.get(key)

    def put(self, key: str, result: DryRunResult) -> None:
        with self._lock:
            if len(self._items) >= self._limit:
                self._items.pop(next(iter(self._items)))
            self._items[key] = result


_CACHE = _Cache()


def run_dry(env: Env, xml: str, decisions: Sequence[str] = ()) -> DryRunResult:
    """The dry run of a diagram with its decision tables, on this installation's runtime (cached)."""
    key = bundle_key(xml, decisions)
    result = _CACHE.get(key)
    if result is None:
        runner = DryRunner(env.store.runtime, DECLARED_OUTPUTS, [r.value for r in Role], resolvable_group)
        result = dry_run(runner, parse_bundle(xml, decisions=decisions), xml, decisions)
        _CACHE.put(key, result)
    return result


def check_publishable(env: Env, xml: str, decisions: Sequence[str] = ()) -> PublishFindings:
    """Dependencies first (cheap), then the dry run; problems refuse publish, warnings are for the owner."""
    findings = PublishFindings()
    for severe, item in dependency_findings(xml):
        (findings.problems if severe else findings.warnings).append(item)
    result = run_dry(env, xml, decisions)
    findings.paths = result.paths
    findings.problems.extend(p.as_dict() for p in result.problems)
    findings.warnings.extend({"element_id": None, "message": note} for note in result.notes)
    return findings


def dependency_findings(xml: str) -> list[tuple[bool, dict]]:
    """(refuse?, {element_id, message}) for each dependency of the product the diagram does not provide."""
    root = parse_untrusted_xml(xml, 4 * 1024 * 1024)
    process_id = executable_process_id(root)
    if process_id != REPORT_PROCESS_ID:
        return [(False, {"element_id": process_id, "message": f"流程标识“{process_id}”不是 {REPORT_PROCESS_ID}："
                                                              "新报送不会按此流程流转"})]
    process = next(p for p in root.findall(f"{{{BPMN_NS}}}process") if p.get("id") == process_id)
    ids = {el.get("id") for el in process.iter() if el.get("id")}
    topics = {el.get(f"{{{CAMUNDA_NS}}}topic") for el in process.iter() if el.get(f"{{{CAMUNDA_NS}}}topic")}
    recorded = {prop.get("value") for field in process.iter(f"{{{CAMUNDA_NS}}}formField")
                for prop in field.iter(f"{{{CAMUNDA_NS}}}property") if prop.get("id") == "records"}
    found: list[tuple[bool, dict]] = []
    if not ids & set(CONTRACT_ELEMENTS):
        found.append((True, {"element_id": process_id, "message": "流程 risk_disposal 中没有任何平台约定的元素标识（"
                             + "、".join(CONTRACT_ELEMENTS) + "）：这不是风险信息处置流程，发布后报送将无法正常处置"}))
    for topic, (severe, what) in TOPIC_DEPENDENCIES.items():
        if topic not in topics:
            found.append((severe, {"element_id": None, "message": f"缺少服务主题 {topic}：{what}"}))
    for element_id, extra in CONTRACT_ELEMENTS.items():
        if element_id not in ids:
            found.append((False, {"element_id": None, "message": f"缺少 {element_id}：{_MIGRATION}"
                                                                 + (f"；{extra}" if extra else "")}))
    for records, what in FIELD_DEPENDENCIES.items():
        if records not in recorded:
            found.append((False, {"element_id": None, "message": f"没有表单字段记录 {records}"
                                                                 f"（扩展属性 records={records}）：{what}"}))
    return found
