"""Process versions: deploy a diagram as a draft, publish it, find the one new reports start on."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import defer

from engine import SpecError, UnsafeXml
from engine.decisions import describe as describe_decision
from engine.specs import content_hash, executable_process_id
from engine.validation import DiagramValidator, Problem
from engine.xml_safety import parse_untrusted_xml
from handlers import TOPIC_PARAMETERS
from storage.models import (
    DecisionTable, InstanceStatus, ProcessInstance, ProcessVersion, Role, VersionState, utcnow,
)
from storage.prepared import Prepared

from .context import Env
from .errors import Conflict, Invalid, NotFound
from .publish_checks import PublishFindings, check_publishable

DEFAULT_PROCESS_ID = "risk_disposal"


def create_draft(env: Env, xml: bytes | str, actor_id: int | None = None, note: str | None = None,
                 decisions: Sequence[str] = (), base_version_id: int | None = None) -> ProcessVersion:
    """Validate a diagram and store it as the next draft version; 422 with per-element details.

    The draft keeps the decision tables (DMN) of `base_version_id` (default: the published version),
    with `decisions` added or replacing tables of the same decision id.
    """
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    tables = decision_tables_for_draft(env, text, decisions, base_version_id)
    problems = validate_diagram(env, xml, list(tables.values()))
    if problems:
        raise Invalid("流程图校验未通过", details=[p.as_dict() for p in problems])
    process_id = executable_process_id(parse_untrusted_xml(text, env.settings.max_bpmn_bytes))
    latest = env.session.scalar(select(func.max(ProcessVersion.version)).where(
        ProcessVersion.process_id == process_id)) or 0
    version = ProcessVersion(process_id=process_id, version=latest + 1, bpmn_xml=text,
                             content_hash=content_hash(text), state=VersionState.DRAFT, note=note,
                             created_by_id=actor_id, created_at=utcnow())
    env.session.add(version)
    env.session.flush()
    for decision_id, dmn in sorted(tables.items()):
        env.session.add(DecisionTable(process_version_id=version.id, decision_id=decision_id,
                                      name=describe_decision(dmn).name, dmn_xml=dmn,
                                      content_hash=content_hash(dmn), created_at=utcnow()))
    env.session.commit()
    return version


def decision_tables_for_draft(env: Env, xml: str, decisions: Sequence[str],
                              base_version_id: int | None) -> dict[str, str]:
    """decision id → DMN text for a new draft; an unreadable DMN is kept under a placeholder key so
    that validation reports it."""
    if base_version_id is None:
        try:
            process_id = executable_process_id(parse_untrusted_xml(xml, env.settings.max_bpmn_bytes))
        except (SpecError, UnsafeXml):
            process_id = None
        base = env.session.scalar(select(ProcessVersion.id).where(
            ProcessVersion.process_id == process_id, ProcessVersion.state == VersionState.PUBLISHED))
    else:
        base = base_version_id
    tables = {row.decision_id: row.dmn_xml for row in env.session.scalars(
        select(DecisionTable).where(DecisionTable.process_version_id == base))} if base else {}
    for index, dmn in enumerate(decisions):
        try:
            tables[describe_decision(dmn).decision_id] = dmn
        except UnsafeXml:
            tables[f"?{index}"] = dmn
    return tables


def validate_diagram(env: Env, xml: bytes | str, decisions: Sequence[str] = ()) -> list[Problem]:
    """Every problem of a diagram (and its decision tables) against this installation's handlers and roles."""
    parameters = {topic: TOPIC_PARAMETERS.get(topic, {}) for topic in env.store.handlers}
    validator = DiagramValidator(env.store.handlers, [r.value for r in Role], env.store.runtime.expressions,
                                 topic_parameters=parameters)
    return validator.validate(xml, env.settings.max_bpmn_bytes, decisions)


@dataclass
class Published:
    """A published version and what the owner was warned about (missing ids, budget notes)."""

    version: ProcessVersion
    warnings: list[dict] = field(default_factory=list)
    paths: int = 0


def publish(env: Env, version_id: int, actor_id: int | None = None) -> ProcessVersion:
    """Make a draft the version new reports start on; the previous one is retired."""
    return publish_checked(env, version_id, actor_id).version


def publish_checked(env: Env, version_id: int, actor_id: int | None = None) -> Published:
    """Publish after the dry run and the dependency check passed; 422 with per-element details if not."""
    version = env.session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound("流程版本不存在")
    if version.state != VersionState.DRAFT:
        raise Conflict("只有草稿版本可以发布")
    if env.settings.four_eyes_publish and (version.approved_by_id is None or version.approved_by_id == actor_id):
        raise Conflict("已启用双人复核：发布前须由另一名流程管理员审核通过")
    findings = prove(env, version)
    _activate(env, version, actor_id)
    env.session.commit()
    return Published(version, findings.warnings, findings.paths)


def dry_run_version(env: Env, version_id: int) -> PublishFindings:
    """The dry run of a stored version (draft or not): paths tried, problems, warnings; changes nothing."""
    version = env.session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound("流程版本不存在")
    return _findings(env, version.bpmn_xml, _decision_xml(env, version.id))


def dry_run_diagram(env: Env, xml: str, base_version_id: int | None = None) -> PublishFindings:
    """The dry run of a diagram not yet saved (the modeler's), with the tables it would be saved with."""
    tables = decision_tables_for_draft(env, xml, (), base_version_id)
    return _findings(env, xml, list(tables.values()))


def prove(env: Env, version: ProcessVersion) -> PublishFindings:
    """The findings of a version that may be published; Invalid (422) listing the problems otherwise."""
    findings = _findings(env, version.bpmn_xml, _decision_xml(env, version.id))
    if not findings.ok:
        raise Invalid("试运行未通过：此流程图发布后会出错，未发布", details=findings.problems)
    return findings


def _findings(env: Env, xml: str, decisions: Sequence[str]) -> PublishFindings:
    try:
        return check_publishable(env, xml, decisions)
    except (SpecError, UnsafeXml) as exc:
        raise Invalid(f"流程图无法解析：{exc}", details=[
            {"element_id": getattr(exc, "element_id", None), "message": str(exc)}]) from None


def _decision_xml(env: Env, version_id: int) -> list[str]:
    return list(env.session.scalars(select(DecisionTable.dmn_xml).where(
        DecisionTable.process_version_id == version_id).order_by(DecisionTable.decision_id)))


def approve(env: Env, version_id: int, actor_id: int) -> ProcessVersion:
    """Four-eyes rule: a second owner (not the draft's author) approves a draft before it is published."""
    version = env.session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound("流程版本不存在")
    if version.state != VersionState.DRAFT:
        raise Conflict("只有草稿版本可以审核")
    if version.created_by_id is not None and version.created_by_id == actor_id:
        raise Conflict("双人复核：不能审核自己提交的草稿，请由另一名流程管理员审核")
    prove(env, version)  # nobody approves a draft that cannot be published
    version.approved_by_id = actor_id
    env.session.commit()
    return version


def deploy(env: Env, xml: bytes | str, actor_id: int | None = None, note: str | None = None,
           decisions: Sequence[str | bytes] = ()) -> ProcessVersion:
    """Validate, dry-run and publish in one go (operators' CLI `deploy`, with the .dmn tables the diagram
    calls); an identical published diagram with the same tables is kept."""
    return deploy_checked(env, xml, actor_id, note, decisions).version


def deploy_checked(env: Env, xml: bytes | str, actor_id: int | None = None, note: str | None = None,
                   decisions: Sequence[str | bytes] = ()) -> Published:
    """`deploy` with the warnings of the dependency check; nothing is stored when the dry run fails."""
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    tables = [d.decode("utf-8") if isinstance(d, bytes) else d for d in decisions]
    same = env.session.scalar(select(ProcessVersion).where(
        ProcessVersion.content_hash == content_hash(text), ProcessVersion.state == VersionState.PUBLISHED))
    if same is not None and _same_tables(env, same.id, tables):
        return Published(same)
    all_tables = list(decision_tables_for_draft(env, text, tables, None).values())
    problems = validate_diagram(env, text, all_tables)
    if problems:
        raise Invalid("流程图校验未通过", details=[p.as_dict() for p in problems])
    findings = _findings(env, text, all_tables)
    if not findings.ok:
        raise Invalid("试运行未通过：此流程图发布后会出错，未发布", details=findings.problems)
    draft = create_draft(env, text, actor_id, note, decisions=tables)
    _activate(env, draft, actor_id)
    env.session.commit()
    return Published(draft, findings.warnings, findings.paths)


def _same_tables(env: Env, version_id: int, tables: Sequence[str]) -> bool:
    stored = set(env.session.scalars(select(DecisionTable.content_hash).where(
        DecisionTable.process_version_id == version_id)))
    return not tables or {content_hash(t) for t in tables} <= stored


def referenced_decisions(xml: str | bytes) -> set[str]:
    """The decision ids the diagram's business rule tasks call (camunda:decisionRef)."""
    root = parse_untrusted_xml(xml, 2 * 1024 * 1024)
    bpmn, camunda = "http://www.omg.org/spec/BPMN/20100524/MODEL", "http://camunda.org/schema/1.0/bpmn"
    return {el.get(f"{{{camunda}}}decisionRef") for el in root.iter(f"{{{bpmn}}}businessRuleTask")} - {None}


def tables_beside(xml: str | bytes, directory) -> list[str]:
    """The .dmn files in `directory` whose decision the diagram calls (how `deploy` finds them)."""
    wanted = referenced_decisions(xml)
    found = []
    for path in sorted(Path(directory).glob("*.dmn")):
        dmn = path.read_text(encoding="utf-8")
        try:
            if describe_decision(dmn).decision_id in wanted:
                found.append(dmn)
        except UnsafeXml:
            continue
    return found


def _activate(env: Env, version: ProcessVersion, actor_id: int | None) -> None:
    for old in env.session.scalars(select(ProcessVersion).where(
            ProcessVersion.process_id == version.process_id, ProcessVersion.state == VersionState.PUBLISHED)):
        old.state = VersionState.RETIRED
    version.state = VersionState.PUBLISHED
    version.published_by_id, version.published_at = actor_id, utcnow()


# Every submission asks (a statement built once); the diagram's XML (tens of kB) is read only by those that use it
# (the engine caches it by version id).
_PUBLISHED = (select(ProcessVersion).options(defer(ProcessVersion.bpmn_xml))
              .where(ProcessVersion.process_id == bindparam("process_id"),
                     ProcessVersion.state == VersionState.PUBLISHED))


_PUBLISHED_ID = Prepared(select(ProcessVersion.__table__.c.id).where(
    ProcessVersion.__table__.c.process_id == bindparam("process_id"),
    ProcessVersion.__table__.c.state == VersionState.PUBLISHED))


def current_version_id(env: Env, process_id: str = DEFAULT_PROCESS_ID) -> int:
    """The id of the published version new instances start on (one prepared statement: every submission asks)."""
    version_id = _PUBLISHED_ID.execute(env.session, {"process_id": process_id}).scalar()
    if version_id is None:
        raise Conflict("尚未发布任何流程版本，请先部署流程（riskmon deploy）")
    return version_id


def current_version(env: Env, process_id: str = DEFAULT_PROCESS_ID) -> ProcessVersion:
    """The published version new instances start on."""
    version = env.session.scalar(_PUBLISHED, {"process_id": process_id})
    if version is None:
        raise Conflict("尚未发布任何流程版本，请先部署流程（riskmon deploy）")
    return version


def list_versions(env: Env, process_id: str | None = None) -> list[ProcessVersion]:
    """All versions, newest first."""
    stmt = select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.version.desc())
    if process_id:
        stmt = stmt.where(ProcessVersion.process_id == process_id)
    return list(env.session.scalars(stmt))


def instance_counts(env: Env) -> dict[int, tuple[int, int]]:
    """Per version id: (instances still running, all instances)."""
    finished = (InstanceStatus.COMPLETED, InstanceStatus.TERMINATED)
    active = func.sum(case((ProcessInstance.status.in_(finished), 0), else_=1))
    rows = env.session.execute(select(ProcessInstance.process_version_id, active, func.count())
                               .group_by(ProcessInstance.process_version_id))
    return {version_id: (int(running or 0), total) for version_id, running, total in rows}
