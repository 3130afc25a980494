"""Publish-time dry run: a draft runs in memory, on synthetic data, through every path its gateways allow.

The same Runtime and SafeScriptEngine as production run the diagram; service tasks are answered by a
stub fed with each topic's declared outputs (handlers/outputs.py). The explorer works breadth-first over
the choices a path meets — each option of each decision field of an open user task, each sample of a
handler output, "time passes until the next timer" — and visits every (element, choice) pair at least
once instead of enumerating combinations. Budgets on paths and steps stop loops such as rework ↔
verification, or a loop without any person in it.
"""
from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import TaskState

from .dialect import HandlerFailed
from .dry_run_choices import Choice, output_variants, referenced_names, task_variants
from .durations import due_from
from .runtime import Runtime, form_to_dict
from .specs import SpecBundle

MAX_PATHS = 300
MAX_TOTAL_STEPS = 30_000
MAX_PATH_STEPS = 150  # engine tasks in a row without a person or a timer (shipped diagram: at most 12)
MAX_PATH_LABELS = 24  # a longer path is shown with its middle left out
MAX_DECISIONS = 60  # choices on one path
PAST = "2000-01-01T00:00:00+00:00"


@dataclass(frozen=True)
class DryRunProblem:
    """A finding of the dry run: the element, what went wrong, and the choices that led there."""

    element_id: str | None
    message: str
    path: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"element_id": self.element_id, "message": self.message, "path": list(self.path)}


@dataclass
class DryRunResult:
    """How many paths ran, what failed on them, and whether a budget cut the exploration short."""

    paths: int = 0
    steps: int = 0
    problems: list[DryRunProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Budget(Exception):
    """A path ran too many engine steps without waiting for a person or a timer."""


class DryRunner:
    """Explores a bundle's paths with stubbed handlers; knows nothing of the database."""

    def __init__(self, runtime: Runtime, outputs: Mapping[str, Mapping[str, object]], roles: Iterable[str],
                 resolve_group: Callable[[str], bool] | None = None, max_paths: int = MAX_PATHS,
                 max_path_steps: int = MAX_PATH_STEPS):
        self.runtime = runtime
        self.outputs = {topic: output_variants(declared) for topic, declared in outputs.items()}
        self.roles = frozenset(roles)
        self.resolve_group = resolve_group or (lambda group: True)
        self.max_paths, self.max_path_steps = max_paths, max_path_steps

    def run(self, bundle: SpecBundle, decision_names: frozenset[str]) -> DryRunResult:
        """Every path breadth-first until all (element, choice) pairs are visited or a budget is spent."""
        explorer = _Explorer()
        result = DryRunResult()
        seen_problems: set[tuple] = set()
        while explorer.queue and result.paths < self.max_paths and result.steps < MAX_TOTAL_STEPS:
            walk = _Walk(self, bundle, decision_names, explorer, explorer.queue.popleft())
            try:
                problem = walk.go()
            except Exception as exc:  # noqa: BLE001 - a draft that breaks the dry run itself is refused, not a 500
                problem = walk.unexpected(exc)
            result.paths += 1
            result.steps += walk.steps
            if problem is not None and (problem.element_id, problem.message) not in seen_problems:
                seen_problems.add((problem.element_id, problem.message))
                result.problems.append(problem)
            if walk.over_budget:  # every other path through that loop would spin as long: stop here
                explorer.queue.clear()
                break
        if explorer.queue:
            result.notes.append(f"试运行已达上限（{result.paths} 条路径、{result.steps} 个步骤），"
                                f"尚有 {len(explorer.queue)} 个分支未试")
        return result


class _Explorer:
    """The breadth-first queue of choice prefixes and how often each (element, choice) pair was taken."""

    def __init__(self):
        self.queue: deque[tuple[Choice, ...]] = deque([()])
        self.visits: Counter = Counter()

    def branch(self, taken: Sequence[Choice], options: Sequence[Choice]) -> Choice:
        """Take the least-visited option; queue every option never visited as a path of its own."""
        pick = min(options, key=lambda o: self.visits[self._id(o)])
        self.visits[self._id(pick)] += 1
        for option in options:
            if option is not pick and self.visits[self._id(option)] == 0:
                self.visits[self._id(option)] += 1
                self.queue.append(tuple(taken) + (option,))
        return pick

    @staticmethod
    def _id(choice: Choice) -> tuple:
        return choice.kind, choice.element_id, choice.key


class _Walk:
    """One path: replay a prefix of choices, then branch; stop at the end, a problem or a budget."""

    def __init__(self, runner: DryRunner, bundle: SpecBundle, decision_names, explorer: _Explorer, prefix):
        self.runner, self.bundle, self.names = runner, bundle, decision_names
        self.explorer, self.prefix = explorer, prefix
        self.taken: list[Choice] = []
        self.steps = self.path_steps = 0
        self.recent: Counter = Counter()
        self.over_budget = False
        self.checked: set = set()

    def go(self) -> DryRunProblem | None:
        workflow = self.runner.runtime.create(self.bundle, {"report_id": 1})
        problem = self._run(workflow)
        while problem is None and not workflow.is_completed():
            problem = self._inspect_open(workflow)
            if problem is not None:
                break
            options = self._options(workflow)
            if not options:
                return self._stuck(workflow)
            if len(self.taken) >= MAX_DECISIONS:
                return self._problem(self.taken[-1].element_id, f"经过 {MAX_DECISIONS} 次办理或定时器后流程仍未结束："
                                     "请检查是否存在走不出去的回路")
            problem = self._apply(workflow, self._decide(options))
        return problem

    # -- choices --------------------------------------------------------------------------
    def _decide(self, options: Sequence[Choice]) -> Choice:
        index = len(self.taken)
        if index < len(self.prefix):
            wanted = self.prefix[index]
            choice = next((o for o in options if _Explorer._id(o) == _Explorer._id(wanted)), options[0])
        else:
            choice = self.explorer.branch(self.taken, options)
        self.taken.append(choice)
        return choice

    def _options(self, workflow) -> list[Choice]:
        options = []
        for task in workflow.get_tasks(state=TaskState.READY):
            if task.task_spec.manual:
                spec = task.task_spec
                form = form_to_dict(getattr(spec, "form", None))
                options.extend(task_variants(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, form, self.names))
        timers = _timers(workflow)
        if timers:
            first = min(timers, key=lambda t: t[1])
            names = "、".join(f"“{t[0].task_spec.bpmn_name or t[0].task_spec.bpmn_id}”" for t in timers
                             if t[1] == first[1])
            options.append(Choice("timer", first[0].task_spec.bpmn_id, ("fire",), f"时间推进：{names}到期"))
        return options

    def _apply(self, workflow, choice: Choice) -> DryRunProblem | None:
        if choice.kind == "timer":
            timers = _timers(workflow)
            earliest = min(due for _, due in timers)
            for task, due in timers:
                if due == earliest:
                    _fire(task)
        else:
            task = next(t for t in workflow.get_tasks(state=TaskState.READY)
                        if t.task_spec.manual and t.task_spec.bpmn_id == choice.element_id)
            try:
                self.runner.runtime.complete_user_task(workflow, str(task.id), dict(choice.data))
            except Exception as exc:  # noqa: BLE001 - any failure is a finding
                return self._problem(choice.element_id, f"办理“{choice.label}”时出错：{exc}")
        self.path_steps = 0
        return self._run(workflow)

    # -- running --------------------------------------------------------------------------
    def _run(self, workflow) -> DryRunProblem | None:
        errors = self.runner.runtime.run(workflow, self._call_topic, self._count)
        if self.over_budget:
            element = self.recent.most_common(1)[0][0] if self.recent else None
            return self._problem(element, f"流程在没有人员办理、也没有定时器等待的情况下连续运行了 "
                                          f"{self.runner.max_path_steps} 步仍未停下：存在无人参与的死循环")
        timer_problem = self._check_timers(workflow)
        if timer_problem is not None:
            return timer_problem
        if errors:
            return self._problem(errors[0].element_id, self._error_message(errors[0]))
        failed = workflow.get_tasks(state=TaskState.ERROR)
        if failed:
            return self._problem(failed[0].task_spec.bpmn_id, "步骤执行失败")
        return None

    def _count(self, task) -> None:
        self.steps += 1
        self.path_steps += 1
        self.recent[task.task_spec.bpmn_id] += 1
        if self.path_steps > self.runner.max_path_steps:
            self.over_budget = True
            raise _Budget(task.task_spec.bpmn_id)

    def _call_topic(self, task, topic, params) -> None:
        spec = task.task_spec
        variants = self.runner.outputs.get(topic)
        if variants is None:
            raise HandlerFailed(spec.bpmn_id, topic, LookupError(f"主题“{topic}”没有声明输出，无法试运行"),
                                spec.bpmn_name)
        data = variants[0]
        if len(variants) > 1:
            name = spec.bpmn_name or spec.bpmn_id
            varying = [k for k in variants[0] if any(v[k] != variants[0][k] for v in variants)]
            options = [Choice("output", spec.bpmn_id, (i,), f"{name}：{_describe(v, varying)}", v)
                       for i, v in enumerate(variants)]
            data = self._decide(options).data
        task.data.update(data)

    def _error_message(self, error) -> str:
        spec = _spec(self.bundle, error.element_id)
        name = (spec.bpmn_name or spec.bpmn_id) if spec is not None else error.element_id
        if "No conditions satisfied" in error.message:
            return f"网关“{name}”在此路径上没有任何出口条件成立，也没有默认流：流程会停在这里"
        if "maximum recursion depth" in error.message or "RecursionError" in error.traceback:
            return f"在“{name}”附近存在没有网关的回路：引擎无法推算后续步骤，流程无法运行"
        return error.message

    # -- checks ---------------------------------------------------------------------------
    def _inspect_open(self, workflow) -> DryRunProblem | None:
        for task in workflow.get_tasks(state=TaskState.READY):
            if task.task_spec.manual and task.id not in self.checked:
                self.checked.add(task.id)
                problem = self._check_group(task) or self._check_due(task)
                if problem is not None:
                    return problem
        return None

    def _check_group(self, task) -> DryRunProblem | None:
        spec = task.task_spec
        ext = getattr(spec, "extensions", {}) or {}
        groups = [g.strip() for g in (ext.get("candidateGroups") or "").split(",") if g.strip()]
        if not groups:
            return self._problem(spec.bpmn_id, f"人工任务“{spec.bpmn_name or spec.bpmn_id}”没有候选组："
                                               "无人能看到和办理它（请用用户任务并填写 camunda:candidateGroups）")
        for group in groups:
            if group not in self.runner.roles:
                return self._problem(spec.bpmn_id, f"候选组“{group}”不是平台角色，任务无人可办")
            if not self.runner.resolve_group(group):
                return self._problem(spec.bpmn_id, f"候选组“{group}”无法确定办理辖区（该角色不办理流程任务）")
        return None

    def _check_due(self, task) -> DryRunProblem | None:
        spec = task.task_spec
        expression = (getattr(spec, "extensions", {}) or {}).get("dueDate")
        if not expression:
            return None
        try:
            value = self.runner.runtime.expressions.evaluate(expression, task.data)
        except Exception as exc:  # noqa: BLE001 - any failure is a finding
            return self._problem(spec.bpmn_id, f"期限表达式“{expression}”无法计算：{exc}")
        if value is None or due_from(str(value), datetime.now(timezone.utc)) is None:
            return self._problem(spec.bpmn_id, f"期限表达式“{expression}”在此路径上得到“{value}”，"
                                               "不是 ISO 8601 时长（如 P7D）或日期时间")
        return None

    def _check_timers(self, workflow) -> DryRunProblem | None:
        for task in workflow.get_tasks(state=TaskState.WAITING):
            definition = getattr(task.task_spec, "event_definition", None)
            if isinstance(definition, TimerEventDefinition) and task.id not in self.checked:
                reason = self._timer_error(task, definition)
                if reason is not None:
                    name = task.task_spec.bpmn_name or task.task_spec.bpmn_id
                    return self._problem(task.task_spec.bpmn_id, f"定时器“{name}”的到期时间无法计算"
                                                                 f"（表达式“{definition.expression}”）：{reason}")
                self.checked.add(task.id)
        return None

    def _timer_error(self, task, definition) -> str | None:
        """Why the timer has no usable due time, or None when it has one."""
        try:
            if _due_of(task) is not None:
                return None
            value = self.runner.runtime.expressions.evaluate(definition.expression, task.data)
        except Exception as exc:  # noqa: BLE001 - any failure is the reason
            return f"表达式无法计算：{exc}"
        if value is None:
            return "表达式在此路径上没有得到值"
        parse = {"DurationTimerEventDefinition": TimerEventDefinition.parse_iso_duration,
                 "CycleTimerEventDefinition": TimerEventDefinition.parse_iso_recurring_interval}.get(
            type(definition).__name__, TimerEventDefinition.parse_time_or_duration)
        try:
            parse(str(value))
        except Exception:  # noqa: BLE001 - any failure is the reason
            return f"得到“{value}”，不是合法的 ISO 8601 时长、日期时间或重复周期"
        return "引擎未能算出到期时间"

    def _stuck(self, workflow) -> DryRunProblem:
        waiting = [t for t in workflow.get_tasks(state=TaskState.WAITING | TaskState.READY)
                   if getattr(t.task_spec, "bpmn_id", None)]
        element = waiting[0].task_spec.bpmn_id if waiting else (self.taken[-1].element_id if self.taken else None)
        return self._problem(element, "流程停住了：既没有待办任务，也没有等待中的定时器，流程也没有结束")

    def unexpected(self, exc: Exception) -> DryRunProblem:
        """A failure outside any step (e.g. a waiting event the engine cannot evaluate)."""
        element = self.taken[-1].element_id if self.taken else None
        return self._problem(element, f"试运行中出现错误：{exc}")

    def _problem(self, element_id, message) -> DryRunProblem:
        labels = [c.label for c in self.taken]
        if len(labels) > MAX_PATH_LABELS:
            half = MAX_PATH_LABELS // 2
            labels = labels[:half] + [f"……（省略 {len(labels) - 2 * half} 步）"] + labels[-half:]
        return DryRunProblem(element_id, message, tuple(labels))


def _describe(data: Mapping, keys: Sequence[str]) -> str:
    return "、".join(f"{k}={data[k]}" for k in keys) or "（无输出）"


def _spec(bundle: SpecBundle, element_id: str | None):
    for spec in [bundle.spec, *bundle.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == element_id:
                return task_spec
    return None


def _timers(workflow) -> list[tuple[object, datetime]]:
    found = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        if isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition):
            due = _due_of(task)
            if due is not None:
                found.append((task, due))
    return found


def _due_of(task) -> datetime | None:
    """When a waiting timer is due, from the value SpiffWorkflow computed (None before it did)."""
    value = task._get_internal_data("event_value")
    if value is None:
        return None
    if isinstance(value, dict):
        return datetime.fromisoformat(value["next"])
    moment = TimerEventDefinition.parse_time_or_duration(value)
    if not isinstance(moment, datetime):
        raise ValueError(f"“{value}”不是时间点")
    return moment


def _fire(task) -> None:
    """Advance this timer's clock: its due time becomes long past, so the next refresh fires it."""
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):
        value = dict(value, next=PAST)
        task._set_internal_data(event_value=value)
    else:
        task._set_internal_data(event_value=PAST)


def dry_run(runner: DryRunner, bundle: SpecBundle, xml: str | bytes, decisions: Sequence[str] = ()) -> DryRunResult:
    """Run the bundle of this diagram (and its decision tables) through every path."""
    return runner.run(bundle, referenced_names(xml, decisions) - {"report_id"})
