"""Process versions: deploy a diagram as a draft, publish it, find the one new reports start on."""
from __future__ import annotations

from sqlalchemy import func, select

from engine import SpecError, UnsafeXml, parse_bundle
from engine.specs import content_hash, executable_process_id
from engine.validation import DiagramValidator, Problem
from engine.xml_safety import parse_untrusted_xml
from storage.models import ProcessVersion, Role, VersionState, utcnow

from .context import Env
from .errors import Conflict, Invalid, NotFound

DEFAULT_PROCESS_ID = "risk_disposal"


def create_draft(env: Env, xml: bytes | str, actor_id: int | None = None, note: str | None = None) -> ProcessVersion:
    """Validate a diagram and store it as the next draft version; 422 with per-element details."""
    problems = validate_diagram(env, xml)
    if problems:
        raise Invalid("流程图校验未通过", details=[p.as_dict() for p in problems])
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    process_id = executable_process_id(parse_untrusted_xml(text, env.settings.max_bpmn_bytes))
    latest = env.session.scalar(select(func.max(ProcessVersion.version)).where(
        ProcessVersion.process_id == process_id)) or 0
    version = ProcessVersion(process_id=process_id, version=latest + 1, bpmn_xml=text,
                             content_hash=content_hash(text), state=VersionState.DRAFT, note=note,
                             created_by_id=actor_id, created_at=utcnow())
    env.session.add(version)
    env.session.commit()
    return version


def validate_diagram(env: Env, xml: bytes | str) -> list[Problem]:
    """Every problem of a diagram against this installation's handlers and roles."""
    validator = DiagramValidator(env.store.handlers, [r.value for r in Role], env.store.runtime.expressions)
    return validator.validate(xml, env.settings.max_bpmn_bytes)


def publish(env: Env, version_id: int, actor_id: int | None = None) -> ProcessVersion:
    """Make a draft the version new reports start on; the previous one is retired."""
    version = env.session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound("流程版本不存在")
    if version.state != VersionState.DRAFT:
        raise Conflict("只有草稿版本可以发布")
    if env.settings.four_eyes_publish and (version.approved_by_id is None or version.approved_by_id == actor_id):
        raise Conflict("已启用双人复核：发布前须由另一名流程管理员审核通过")
    try:
        parse_bundle(version.bpmn_xml)
    except (SpecError, UnsafeXml) as exc:
        raise Invalid(f"流程图无法解析：{exc}") from None
    _activate(env, version, actor_id)
    env.session.commit()
    return version


def deploy(env: Env, xml: bytes | str, actor_id: int | None = None, note: str | None = None) -> ProcessVersion:
    """Validate and publish in one go (operators' CLI `deploy`); an identical published diagram is kept."""
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    same = env.session.scalar(select(ProcessVersion).where(
        ProcessVersion.content_hash == content_hash(text), ProcessVersion.state == VersionState.PUBLISHED))
    if same is not None:
        return same
    draft = create_draft(env, text, actor_id, note)
    _activate(env, draft, actor_id)
    env.session.commit()
    return draft


def _activate(env: Env, version: ProcessVersion, actor_id: int | None) -> None:
    for old in env.session.scalars(select(ProcessVersion).where(
            ProcessVersion.process_id == version.process_id, ProcessVersion.state == VersionState.PUBLISHED)):
        old.state = VersionState.RETIRED
    version.state = VersionState.PUBLISHED
    version.published_by_id, version.published_at = actor_id, utcnow()


def current_version(env: Env, process_id: str = DEFAULT_PROCESS_ID) -> ProcessVersion:
    """The published version new instances start on."""
    version = env.session.scalar(select(ProcessVersion).where(
        ProcessVersion.process_id == process_id, ProcessVersion.state == VersionState.PUBLISHED))
    if version is None:
        raise Conflict("尚未发布任何流程版本，请先部署流程（riskmon deploy）")
    return version


def list_versions(env: Env, process_id: str | None = None) -> list[ProcessVersion]:
    """All versions, newest first."""
    stmt = select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.version.desc())
    if process_id:
        stmt = stmt.where(ProcessVersion.process_id == process_id)
    return list(env.session.scalars(stmt))
