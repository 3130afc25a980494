"""Migrating running instances to another version of their diagram: preview, then move one or many."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select

from engine.migration import Migrator
from storage.database import begin_write
from storage.models import InstanceStatus, ProcessInstance, ProcessVersion, Report, VersionState
from storage.repositories import add_event, instance_for_update

from .context import Env
from .errors import Conflict, Invalid, NotFound

MIGRATABLE = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.USER_INPUT_REQUIRED,
              InstanceStatus.ERROR)
PREVIEW_LIMIT = 500


@lru_cache(maxsize=1)
def _migrator() -> Migrator:
    return Migrator()


@dataclass
class MigrationRow:
    """One instance in a preview or a result: can it move, and why not."""

    instance_id: int
    report_id: int
    tracking_no: str | None
    title: str
    status: InstanceStatus
    from_version: int
    at_elements: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    migrated: bool = False

    @property
    def possible(self) -> bool:
        return not self.reasons


def _copier(env: Env, state: bytes, bundle):
    """A function returning a fresh, independent copy of the stored workflow (for trial migrations)."""
    def copy():
        workflow = env.store.serializer.loads(state, bundle)
        env.store.runtime.attach(workflow)
        return workflow
    return copy


class _Refused(Exception):
    def __init__(self, reasons):
        super().__init__("；".join(reasons))
        self.reasons = reasons


def _target(env: Env, version_id: int) -> ProcessVersion:
    target = env.session.get(ProcessVersion, version_id)
    if target is None:
        raise NotFound("目标流程版本不存在")
    if target.state == VersionState.DRAFT:
        raise Conflict("只能迁移到已发布（或已停用）的版本，请先发布该草稿")
    return target


def _row(env: Env, instance: ProcessInstance) -> MigrationRow:
    report = env.session.get(Report, instance.report_id)
    source = env.session.get(ProcessVersion, instance.process_version_id)
    return MigrationRow(instance.id, instance.report_id, report.tracking_no, report.title, instance.status,
                        source.version)


def _static_reasons(instance: ProcessInstance, source: ProcessVersion, target: ProcessVersion) -> list[str]:
    if instance.status == InstanceStatus.SUSPENDED:
        return ["实例已挂起，请先在管理页恢复后再迁移"]
    if instance.status not in MIGRATABLE:
        return ["实例已结束，无需迁移"]
    if source.id == target.id:
        return ["实例已在目标版本上运行"]
    if source.process_id != target.process_id:
        return [f"目标版本属于另一个流程（{target.process_id}）"]
    return []


def preview_migration(env: Env, target_version_id: int, source_version_id: int | None = None,
                      instance_ids: list[int] | None = None) -> list[MigrationRow]:
    """Which instances (of a source version, or the given ones) can move to the target, and why not."""
    target = _target(env, target_version_id)
    stmt = select(ProcessInstance).where(ProcessInstance.status.in_(MIGRATABLE + (InstanceStatus.SUSPENDED,)))
    stmt = stmt.where(ProcessInstance.process_version_id != target.id).order_by(ProcessInstance.id)
    if source_version_id is not None:
        stmt = stmt.where(ProcessInstance.process_version_id == source_version_id)
    if instance_ids:
        stmt = select(ProcessInstance).where(ProcessInstance.id.in_(instance_ids)).order_by(ProcessInstance.id)
    bundle = env.store.bundle_for(env.session, target.id)
    rows = []
    for instance in env.session.scalars(stmt.limit(PREVIEW_LIMIT)):
        row = _row(env, instance)
        source = env.session.get(ProcessVersion, instance.process_version_id)
        row.reasons = _static_reasons(instance, source, target)
        if not row.reasons:
            source_bundle = env.store.bundle_for(env.session, source.id)
            workflow = env.store.serializer.loads(instance.workflow_state, source_bundle)
            env.store.runtime.attach(workflow)
            check = _migrator().check(workflow, bundle, _copier(env, instance.workflow_state, source_bundle))
            row.reasons, row.notes, row.at_elements = check.reasons, check.notes, check.at_elements
        rows.append(row)
    env.session.rollback()
    return rows


def migrate_instances(env: Env, target_version_id: int, instance_ids: list[int],
                      actor_id: int | None = None) -> list[MigrationRow]:
    """Move each instance that can move (one transaction per instance); the others report why not."""
    if not instance_ids:
        raise Invalid("请至少选择一个要迁移的实例")
    return [_migrate_one(env, target_version_id, instance_id, actor_id) for instance_id in instance_ids]


def _migrate_one(env: Env, target_version_id: int, instance_id: int, actor_id: int | None) -> MigrationRow:
    begin_write(env.session)
    target = _target(env, target_version_id)
    instance = instance_for_update(env.session, instance_id)
    if instance is None:
        env.session.rollback()
        raise NotFound(f"流程实例 {instance_id} 不存在")
    row = _row(env, instance)
    source = env.session.get(ProcessVersion, instance.process_version_id)
    row.reasons = _static_reasons(instance, source, target)
    if row.reasons:
        env.session.rollback()
        return row
    try:
        _move(env, instance, row, source, target, actor_id)
    except _Refused as exc:
        env.session.rollback()
        row.reasons = exc.reasons
        return row
    except Exception as exc:  # noqa: BLE001 - one instance failing must not stop the others
        env.session.rollback()
        row.reasons = [f"迁移失败：{exc}"]
        return row
    env.session.commit()
    row.migrated = True
    return row


def _move(env: Env, instance: ProcessInstance, row: MigrationRow, source: ProcessVersion,
          target: ProcessVersion, actor_id: int | None) -> None:
    """Check and migrate inside one engine step (run, project, save), then log it."""
    bundle = env.store.bundle_for(env.session, target.id)
    copier = _copier(env, instance.workflow_state, env.store.bundle_for(env.session, source.id))

    def move(workflow):
        env.store.runtime.attach(workflow)  # migrating re-evaluates timers: our safe expressions, not eval
        check = _migrator().check(workflow, bundle, copier)
        if not check.possible:
            raise _Refused(check.reasons)
        row.notes, row.at_elements = check.notes, check.at_elements
        _migrator().migrate(workflow, bundle)
        instance.process_version_id = target.id

    env.store.step(env.session, instance, move, actor_id)
    add_event(env.session, "migrated", f"流程实例已从版本 v{source.version} 迁移到 v{target.version}",
              instance_id=instance.id, report_id=instance.report_id, actor_id=actor_id,
              data={"from_version_id": source.id, "to_version_id": target.id, "notes": row.notes})
