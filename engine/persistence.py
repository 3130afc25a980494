"""Run-and-save: every engine step is load → act → run → project read models → save, in the
caller's transaction, with the instance row locked and its lock version checked."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, PendingRollbackError
from sqlalchemy.orm import Session

from handlers import HandlerContext
from handlers.routing import GROUP_TIERS, REPORTER_GROUP, assign
from storage.models import (
    TIER_LABELS, DecisionTable, HumanTask, HumanTaskCandidate, InstanceStatus, ProcessInstance, ProcessVersion,
    Report, TaskState, Tier, User, utcnow,
)
from storage import step_writes, task_rows
from storage.people_cache import role_holders
from storage.prepared import insert_attached, transient
from storage.repositories import add_event, add_notification

from .dialect import HandlerFailed
from .durations import due_from
from .form_prefill import previous_answers
from .live_cache import LiveCache
from .runtime import Runtime, Snapshot, StepError
from .serializer import InstanceSerializer
from .specs import SpecBundle, SpecCache
from .task_forms import FormCache, overlay_of

FROZEN = (InstanceStatus.SUSPENDED, InstanceStatus.TERMINATED, InstanceStatus.COMPLETED)
# A lost or failed database connection is never the workflow's fault: the whole step is rolled back and
# the request answers 503 (web/errors.py); nothing is stored as an incident.
DATABASE_ERRORS = (DBAPIError, PendingRollbackError)


@dataclass
class StepResult:
    """What one step did, for the service layer to report back."""

    instance: ProcessInstance
    errors: list[StepError] = field(default_factory=list)
    created_tasks: list[HumanTask] = field(default_factory=list)


class ProcessStore:
    """The engine bound to the database: starts instances and applies steps to them."""

    def __init__(self, handlers: dict, runtime: Runtime | None = None, spec_cache: SpecCache | None = None):
        self.handlers = dict(handlers)
        self.runtime = runtime or Runtime()
        self.runtime.pass_through = tuple({*self.runtime.pass_through, *DATABASE_ERRORS})
        self.serializer = InstanceSerializer()
        self.specs = spec_cache or SpecCache()
        self.live = LiveCache()
        self.forms = FormCache(self.bundle_for)
        self._version_xml: dict[int, tuple[str, tuple[str, ...]]] = {}

    # -- specs -------------------------------------------------------------------------------
    def bundle_for(self, session: Session, version_id: int) -> SpecBundle:
        """The parsed spec of a process version (parsed once per content hash)."""
        source = self._version_xml.get(version_id)
        if source is None:  # a version (diagram and decision tables) never changes once stored
            decisions = tuple(session.scalars(select(DecisionTable.dmn_xml).where(
                DecisionTable.process_version_id == version_id).order_by(DecisionTable.decision_id)))
            source = (session.get(ProcessVersion, version_id).bpmn_xml, decisions)
            self._version_xml[version_id] = source
        return self.specs.get(*source)

    # -- steps -------------------------------------------------------------------------------
    def start(self, session: Session, version_id: int, report: Report,
              actor_id: int | None = None) -> StepResult:
        """Create the instance for a report on process version `version_id` and run it to its first wait."""
        bundle = self.bundle_for(session, version_id)
        workflow = self.runtime.create(bundle, {"report_id": report.id})
        instance = insert_attached(session, ProcessInstance, dict(
            process_version_id=version_id, report_id=report.id, status=InstanceStatus.RUNNING, workflow_state=b"",
            created_at=utcnow()))
        # A new instance has no task rows yet; its first event goes out with the step's (one executemany).
        with step_writes.collecting(session) as writes:
            add_event(session, "submitted", "信息已报送", instance_id=instance.id, report_id=report.id,
                      actor_id=actor_id)
            result = self._run_and_save(session, instance, report, workflow, actor_id, open_ids=[])
        step_writes.write(session, writes)
        return result

    def step(self, session: Session, instance: ProcessInstance, action, actor_id: int | None = None,
             allow_frozen: bool = False, report: Report | None = None,
             open_ids: list[str] | None = None) -> StepResult:
        """Apply `action(workflow)` to a locked instance, run the engine, project and save. A caller that has
        read the report and the ids of the instance's open task rows in this transaction passes them."""
        if instance.status in FROZEN and not allow_frozen:
            raise InstanceFrozen(instance.status)
        report = report if report is not None else session.get(Report, instance.report_id)
        workflow = self.load(session, instance)
        try:
            action(workflow)
        except Exception:
            self.live.discard(instance.id)
            raise
        return self._run_and_save(session, instance, report, workflow, actor_id, open_ids)

    def load(self, session: Session, instance: ProcessInstance):
        """The instance's workflow: the live one if still current, else deserialized."""
        workflow = self.live.take(instance.id, instance.lock_version)
        if workflow is None:
            workflow = self.serializer.loads(instance.workflow_state, self.bundle_for(session,
                                                                                   instance.process_version_id))
        return workflow

    def _run_and_save(self, session, instance, report, workflow, actor_id, open_ids=None) -> StepResult:
        caller = self._topic_caller(session, instance, report, actor_id)
        try:
            # One flush at the end instead of one before every query, and the step's events, notices and
            # outbox rows collected and written with one executemany per table after it (storage/step_writes).
            # Nothing below reads rows this step has added. The task rows and the instance row are written
            # with prepared Core statements (storage/task_rows), not through the unit of work.
            with session.no_autoflush, step_writes.collecting(session) as writes:
                errors = self.runtime.run(workflow, caller, self._timer_logger(session, instance, report))
                result = self._project(session, instance, report, workflow, errors, open_ids)
                instance.workflow_state = self.serializer.dumps(workflow)
                instance.updated_at = utcnow()
                task_rows.save_instance(session, instance)
                task_rows.save_report(session, report)
            session.flush()
            step_writes.write(session, writes)
        except Exception:
            self.live.discard(instance.id)
            raise
        self.live.stage(session, instance.id, instance.lock_version, workflow)
        return result

    def _topic_caller(self, session, instance, report, actor_id):
        def call(task, topic, params):
            handler = self.handlers.get(topic)
            element = task.task_spec.bpmn_id
            if handler is None:
                raise HandlerFailed(element, topic, LookupError(f"没有为主题“{topic}”注册处理器"),
                                    task.task_spec.bpmn_name)
            ctx = HandlerContext(session, instance, report, element, task.data, actor_id)
            writes = step_writes.current(session)
            mark = writes.mark() if writes is not None else None
            try:
                if getattr(handler, "savepoint_free", False):
                    result = handler(ctx, **params)
                else:
                    with session.begin_nested():
                        result = handler(ctx, **params)
            except DATABASE_ERRORS:
                raise
            except Exception as exc:  # noqa: BLE001 - rolled back to the savepoint, recorded as error
                if mark is not None:
                    writes.truncate(mark)
                cause = _database_cause(exc)
                if cause is not None:
                    raise cause from exc
                raise HandlerFailed(element, topic, exc, task.task_spec.bpmn_name) from exc
            if result:
                task.data.update(result)
        return call

    def _timer_logger(self, session, instance, report):
        def on_completed(task):
            definition = getattr(task.task_spec, "event_definition", None)
            if type(definition).__name__.endswith("TimerEventDefinition"):
                add_event(session, "timer_fired", f"定时器触发：{task.task_spec.bpmn_name or task.task_spec.bpmn_id}",
                          instance_id=instance.id, report_id=report.id, element_id=task.task_spec.bpmn_id)
        return on_completed

    # -- projection --------------------------------------------------------------------------
    def _project(self, session, instance, report, workflow, errors, open_ids=None) -> StepResult:
        if open_ids is None:
            open_ids = task_rows.open_task_ids(session, instance.id)
        known = set(open_ids)
        snap = self.runtime.snapshot(workflow, known=known)  # full views only of the tasks new in this step
        now = utcnow()
        result = StepResult(instance, errors)
        current = {view.id for view in snap.open_tasks}
        for view in snap.open_tasks:
            if view.id not in known:
                result.created_tasks.append(self._add_task(session, instance, report, view, now, workflow))
        self._close_task_rows(session, instance, report, workflow, [i for i in open_ids if i not in current], now)
        task_rows.insert_tasks(session, result.created_tasks)
        for error in errors:
            add_event(session, "error", error.message, instance_id=instance.id, report_id=report.id,
                      element_id=error.element_id, data={"traceback": error.traceback[-4000:]})
        self._update_status(instance, snap, errors, now)
        self._record_entry(session, instance, report, snap)
        _sync_current_tier(report, snap)
        return result

    def _close_task_rows(self, session, instance, report, workflow, row_ids, now) -> None:
        """Mark the rows of tasks no longer open completed or cancelled: through the object when this session
        holds it (the task a person just completed), else with one Core UPDATE."""
        completed, cancelled, labels = [], [], {}
        for row_id in row_ids:
            done = self.runtime.task_completed(workflow, row_id)
            row = task_rows.loaded_task(session, row_id)
            if row is None:
                (completed if done else cancelled).append(row_id)
                continue
            if row.completed_at is None:
                row.completed_at = now
            state = TaskState.COMPLETED if done else TaskState.CANCELLED
            if row.state != state:  # the task a person completed is already marked (services/tasks)
                row.state = state
            if not done:
                labels[row_id] = (row.name, row.element_id)
        labels.update(task_rows.finish_tasks(session, completed, cancelled, now))
        for row_id in row_ids:
            if row_id in labels:
                name, element_id = labels[row_id]
                add_event(session, "task_cancelled", f"“{name}”已结束（期限已到或流程变更）",
                          instance_id=instance.id, report_id=report.id, element_id=element_id)

    def _add_task(self, session, instance, report, view, now, workflow) -> HumanTask:
        target = assign(view.candidate_group, report)
        assignee = view.assignee
        if target.candidate_group == REPORTER_GROUP:
            reporter = session.get(User, report.reporter_id)
            assignee = reporter.username if reporter is not None else None
        ran = self.runtime.may_have_run(workflow, view.element_id)  # else no earlier answers: no query
        row = transient(HumanTask, dict(
            id=view.id, instance_id=instance.id, report_id=report.id, element_id=view.element_id, name=view.name,
            candidate_group=target.candidate_group, division_code=target.division_code,
            monitoring_point_id=target.monitoring_point_id, state=TaskState.OPEN, due_at=due_from(view.due, now),
            priority=view.priority, process_version_id=instance.process_version_id,
            form_overlay=overlay_of(view.form, previous_answers(session, instance.id, view.element_id) if ran else {}),
            created_at=now, assignee=assignee, candidates=_further_candidates(view, report, target)))
        # the row and its candidates are inserted by _project (prepared statements), never through the session
        add_event(session, "task_created", f"待办：{view.name}", instance_id=instance.id, report_id=report.id,
                  element_id=view.element_id, data={"candidate_group": target.candidate_group,
                                                    "division_code": target.division_code})
        _notify_candidates(session, row, report)
        return row

    @staticmethod
    def _record_entry(session, instance, report, snap) -> None:
        """The tier the first tasks went to is the report's entry tier (decided by the diagram's table)."""
        if report.entry_tier is not None:
            return
        tiers = [GROUP_TIERS.get(t.candidate_group) for t in snap.open_tasks]
        tiers = [tier for tier in tiers if tier is not None and tier != Tier.UNIT]
        if tiers:
            report.entry_tier = tiers[0]
            add_event(session, "entered", f"进入{TIER_LABELS[tiers[0]]}处置", instance_id=instance.id,
                      report_id=report.id, data={"entry_tier": tiers[0].value})

    @staticmethod
    def _update_status(instance: ProcessInstance, snap: Snapshot, errors, now) -> None:
        instance.next_timer_at = snap.next_timer_at
        waiting = [t.element_id for t in snap.open_tasks] or [t[0] for t in snap.timers]
        instance.waiting_element = waiting[0] if waiting else None
        if snap.error_elements:
            first = errors[0] if errors else None
            if first is not None:
                instance.error_element, instance.error_message = first.element_id, first.message
                instance.error_traceback = first.traceback
        else:
            instance.error_element = instance.error_message = instance.error_traceback = None
        if instance.status in (InstanceStatus.SUSPENDED, InstanceStatus.TERMINATED):
            return
        if snap.completed:
            instance.status, instance.completed_at = InstanceStatus.COMPLETED, now
        elif snap.error_elements:
            instance.status = InstanceStatus.ERROR
        elif snap.open_tasks:
            instance.status = InstanceStatus.USER_INPUT_REQUIRED
        elif snap.timers:
            instance.status = InstanceStatus.WAITING
        else:
            instance.status = InstanceStatus.RUNNING


def _database_cause(exc: BaseException | None) -> BaseException | None:
    """A handler that wrapped a database error in its own exception still failed because of the database."""
    for _ in range(20):
        if exc is None or isinstance(exc, DATABASE_ERRORS):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


class InstanceFrozen(RuntimeError):
    """The instance is suspended, terminated or completed; nothing may move it."""

    def __init__(self, status: InstanceStatus):
        super().__init__(status.value)
        self.status = status


def _further_candidates(view, report: Report, first) -> list[HumanTaskCandidate]:
    """Candidate groups after the first (each routed to its own office) and the candidate users."""
    rows = []
    for group in view.candidate_groups[1:]:
        target = assign(group, report)
        if (target.candidate_group, target.division_code) != (first.candidate_group, first.division_code):
            rows.append(HumanTaskCandidate(candidate_group=target.candidate_group, division_code=target.division_code,
                                           monitoring_point_id=target.monitoring_point_id))
    rows.extend(HumanTaskCandidate(username=name) for name in dict.fromkeys(view.candidate_users))
    return rows


def _notify_candidates(session: Session, task: HumanTask, report: Report) -> None:
    """Tell the people who may work a new task. Safety directors were told by notify_safety_director."""
    if task.candidate_group == REPORTER_GROUP:
        holders = [(report.reporter_id, None)]
    elif task.candidate_group == "safety_director" or task.division_code is None:
        return
    else:  # who holds the role there: cached for a few seconds, forgotten on account changes
        holders = role_holders(session, task.candidate_group, task.division_code)
    ids = [user_id for user_id, _ in holders]
    allowed = set(task.candidate_usernames()) | ({task.assignee} if task.assignee else set())
    if allowed and ids:
        names = dict(holders)
        if None in names.values():
            names = dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
        ids = [i for i in ids if names.get(i) in allowed
               and (not task.assignee or names.get(i) == task.assignee)]
    for user_id in ids:
        add_notification(session, user_id, "task", f"新的待办：{task.name}（{report.tracking_no}）", report.title,
                         report_id=report.id, task_id=task.id, link=f"/tasks/{task.id}")


def _sync_current_tier(report: Report, snap: Snapshot) -> None:
    chain = [GROUP_TIERS.get(t.candidate_group) for t in snap.open_tasks]
    chain = [tier for tier in chain if tier is not None and tier != Tier.UNIT]
    if chain and report.current_tier != chain[0]:
        report.current_tier = chain[0]
