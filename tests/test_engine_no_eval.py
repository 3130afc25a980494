"""No path from a diagram to Python's eval/exec: every place SpiffWorkflow evaluates reaches our evaluator.

Two proofs. A static inventory walks the installed SpiffWorkflow source for every evaluate/execute/eval/
exec call and names why each one reaches ours (it fails when a library upgrade adds or moves one). A canary
replaces builtins.eval/exec (and process spawning) with tripwires while the shipped diagram runs its whole
lifecycle and while hostile diagrams put code where the library evaluates it directly.
"""
from __future__ import annotations

import builtins
import os
import re
import subprocess
import sys
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest
import SpiffWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.specs.Transform import Transform

from engine import Runtime, parse_bundle
from engine.dialect import DialectParser, SafeScriptEngine, SafeTaskEnvironment
from engine.serializer import InstanceSerializer
from hostile_diagrams import HOSTILE_BUILDERS
from legacy_diagrams import deadline_dmn, seed_xml, with_deadline_table
from test_engine_paths import (
    CHECK_OK, DIAGRAM, DIRECTOR, PROVINCE, RECTIFY, TABLE, Harness, center_round,
    to_center,
)

LIBRARY = Path(SpiffWorkflow.__file__).resolve().parent
PROJECT = Path(__file__).resolve().parent.parent
CALL = re.compile(r"(?<![\w.])(eval|exec|compile|__import__)\s*\(|\.(evaluate|execute|_evaluate|call_service)\s*\(")

ENGINE = "task.workflow.script_engine.evaluate/execute → SafeScriptEngine's override (safe evaluator / refusal)"
ENVIRONMENT = "script_engine.environment.evaluate → SafeTaskEnvironment, the environment SafeScriptEngine holds"
BASE = "PythonScriptEngine's own evaluate/execute/call_service bodies: SafeScriptEngine overrides all three"
STOCK = "TaskDataEnvironment (plain eval/exec): never the environment of our engines (asserted below)"
DMN = "DMNEngine.evaluate, the DMN engine's own method, whose body calls script_engine.evaluate"
MIGRATION = ("serializer migration from format 1.1, run only by BpmnWorkflowSerializer.migrate; "
             "InstanceSerializer.loads never calls it (asserted below)")
TRANSFORM = "core Transform spec: no BPMN parser class creates it (asserted below)"
LEGACY = "legacy DictionarySerializer class lookup; riskmon serializes through BpmnWorkflowSerializer's registry"

# (file under SpiffWorkflow/, the call's source line) → why it reaches our evaluator; count = occurrences.
CALL_SITES = {
    ("camunda/specs/multiinstance_task.py",
     "cardinality = my_task.workflow.script_engine.evaluate(my_task, task_spec.cardinality)"): ENGINE,
    ("camunda/specs/event_definitions.py",
     "result = my_task.workflow.script_engine.evaluate(my_task, self.expression)"): ENGINE,
    ("spiff/specs/mixins/service_task.py",
     "'value': task.workflow.script_engine.evaluate(task=task, expression=param['value']),"): ENGINE,
    ("spiff/specs/mixins/service_task.py", "result = task.workflow.script_engine.call_service("): ENGINE,
    ("spiff/specs/spiff_task.py", "my_task.workflow.script_engine.execute(my_task, script)"): ENGINE,
    ("spiff/specs/event_definitions.py",
     "payload = my_task.workflow.script_engine.evaluate(my_task, self.expression)"): ENGINE,
    ("bpmn/specs/bpmn_task_spec.py", "return task.workflow.script_engine.evaluate(task, self.args[0], "
                                     "external_context=task.workflow.data_objects)"): ENGINE,
    ("bpmn/specs/mixins/multiinstance_task.py", "cond_complete = self.condition is not None and not "
                                                "my_task.workflow.script_engine.evaluate(my_task, self.condition)"): ENGINE,
    ("bpmn/specs/mixins/multiinstance_task.py",
     "return my_task.workflow.script_engine.evaluate(last_child, self.condition)"): ENGINE,
    ("bpmn/specs/mixins/multiinstance_task.py", "my_task.internal_data['cardinality'] = "
                                                "my_task.workflow.script_engine.evaluate(my_task, self.cardinality)"): ENGINE,
    ("bpmn/specs/mixins/multiinstance_task.py",
     "cardinality = my_task.workflow.script_engine.evaluate(my_task, self.cardinality)"): ENGINE,
    ("bpmn/specs/mixins/script_task.py", "return task.workflow.script_engine.execute(task, self.script)"): ENGINE,
    ("bpmn/specs/event_definitions/timer.py",
     "event_value = my_task.workflow.script_engine.evaluate(my_task, self.expression)"): ENGINE,
    ("bpmn/specs/event_definitions/timer.py",
     "expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)"): ENGINE,
    ("bpmn/specs/event_definitions/conditional.py", "has_fired=my_task.workflow.script_engine.evaluate(my_task, "
                                                    "self.expression, external_context=my_task.workflow.data_objects)"): ENGINE,
    ("dmn/specs/model.py", "outvalue = script_engine.evaluate(task, outputEntry.text)"): ENGINE,
    ("dmn/engine/DMNEngine.py", "'dmninputexpr': script_engine.evaluate(task, input_expr)"): ENGINE,
    ("dmn/engine/DMNEngine.py",
     "return script_engine.evaluate(task, match_expr, external_context=external_context)"): ENGINE,
    ("dmn/engine/DMNEngine.py", "return script_engine.evaluate(task, expr)"): ENGINE,
    ("dmn/engine/DMNEngine.py", "if not self.evaluate(input_val, lhs, task):"): DMN,
    ("bpmn/specs/bpmn_process_spec.py",
     "if workflow.script_engine.environment.evaluate(self.completion_condition, workflow.data):"): ENVIRONMENT,
    ("bpmn/specs/bpmn_process_spec.py", "return workflow.script_engine.environment.evaluate(cond, workflow.data, "
                                        "external_context=workflow.data_objects)"): ENVIRONMENT,
    ("bpmn/specs/event_definitions/message.py",
     "value = script_engine.environment.evaluate(prop.retrieval_expression, ctx)"): ENVIRONMENT,
    ("bpmn/script_engine/python_engine.py",
     "return self.environment.evaluate(expression, task.data, external_context)"): BASE,
    ("bpmn/script_engine/python_engine.py",
     "return self.environment.execute(script, task.data, external_context or {})"): BASE,
    ("bpmn/script_engine/python_engine.py", "return self.environment.call_service(task.data, **kwargs)"): BASE,
    ("bpmn/script_engine/python_environment.py", "return eval(expression, my_globals)"): STOCK,
    ("bpmn/script_engine/python_environment.py", "exec(script, context)"): STOCK,
    ("bpmn/serializer/migration/version_1_2.py", "dt = eval(expr)"): MIGRATION,
    ("bpmn/serializer/migration/version_1_2.py", "repeat, duration = eval(expr)"): MIGRATION,
    ("specs/Transform.py", "exec(transform)"): TRANSFORM,
    ("serializer/dict.py", "__import__(module_name)"): LEGACY,
    ("bpmn/script_engine/python_engine.py",
     "If you are uncomfortable with the use of eval() and exec, then you should"): "a docstring, not a call",
}
COUNTS = {("bpmn/specs/event_definitions/timer.py",
           "expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)"): 2,
          ("spiff/specs/event_definitions.py",
           "payload = my_task.workflow.script_engine.evaluate(my_task, self.expression)"): 2}


def library_call_sites() -> Counter:
    """Every evaluate/execute/eval/exec call in the installed SpiffWorkflow, by file and source line."""
    found: Counter = Counter()
    lines: dict[tuple[str, int], str] = {}
    for path in sorted(LIBRARY.rglob("*.py")):
        rel = path.relative_to(LIBRARY).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0].strip()
            if CALL.search(code) and not code.startswith("def "):
                found[(rel, code)] += 1
                lines[(rel, code)] = number
    return found


def test_every_library_evaluation_call_site_reaches_our_evaluator():
    found = library_call_sites()
    unknown = sorted(set(found) - set(CALL_SITES))
    assert not unknown, f"SpiffWorkflow evaluates somewhere new; prove it reaches ours and list it: {unknown}"
    missing = sorted(set(CALL_SITES) - set(found))
    assert not missing, f"listed call sites no longer exist (library changed?): {missing}"
    for site, count in found.items():
        assert count == COUNTS.get(site, 1), (site, count)


def test_the_structural_facts_the_inventory_relies_on():
    for name in ("evaluate", "execute", "call_service"):
        assert getattr(SafeScriptEngine, name) is not getattr(PythonScriptEngine, name), name
    runtime = Runtime()
    bundle = parse_bundle(seed_xml())
    workflow = runtime.create(bundle, {"report_id": 1})
    assert isinstance(workflow.script_engine, SafeScriptEngine)
    assert isinstance(workflow.script_engine.environment, SafeTaskEnvironment)
    # one evaluator for gateways, timers, DMN cells (script engine) and correlations/completions (environment)
    assert workflow.script_engine.expressions is runtime.expressions
    assert workflow.script_engine.environment.expressions is runtime.expressions
    serializer = InstanceSerializer()
    restored = serializer.loads(serializer.dumps(workflow), bundle)
    assert isinstance(restored.script_engine.environment, SafeTaskEnvironment)  # even before attach()
    specs = [spec for _, spec in {**DialectParser.PARSER_CLASSES, **DialectParser.OVERRIDE_PARSER_CLASSES}.values()]
    assert specs and not any(issubclass(spec, Transform) for spec in specs)


def test_script_environment_refuses_scripts_and_services():
    environment = SafeScriptEngine(Runtime().expressions).environment
    with pytest.raises(PermissionError, match="脚本"):
        environment.execute("import os", {})
    with pytest.raises(PermissionError):
        environment.call_service({})
    assert environment.evaluate("a + b", {"a": 1}, {"b": 2}) == 3


# -- the canary ---------------------------------------------------------------------------------------------
class Tripwire:
    """Records (and refuses) every eval/exec and every attempt to start a process.

    Diagram content reaches only SpiffWorkflow and our own packages, so a call from there is refused. Python's
    import machinery (exec of a newly imported module) and other libraries' code generation (SQLAlchemy
    builds some functions with exec on first use) are let through to the real builtin.
    """

    def __init__(self):
        self.calls: list[str] = []

    def wire(self, name: str, original=None):
        def tripped(*args, **kwargs):
            caller = sys._getframe(1).f_code.co_filename
            if original is not None and not _diagram_reachable(caller):
                return original(*args, **kwargs)
            self.calls.append(f"{name} from {caller}")
            raise AssertionError(f"{name} called")
        return tripped


def _diagram_reachable(filename: str) -> bool:
    path = Path(filename).resolve() if not filename.startswith("<") else None
    if path is None:
        return not filename.startswith("<frozen importlib")
    return path.is_relative_to(LIBRARY) or path.is_relative_to(PROJECT) and ".venv" not in path.parts


@pytest.fixture
def canary(monkeypatch):
    wire = Tripwire()
    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, wire.wire(name, getattr(builtins, name)))
    for name in ("system", "fork", "posix_spawn", "posix_spawnp", "execv", "execve", "popen"):
        monkeypatch.setattr(os, name, wire.wire(f"os.{name}"))
    monkeypatch.setattr(subprocess.Popen, "__init__", wire.wire("subprocess.Popen"))
    tracemalloc.start()
    yield wire
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 100 * 1024 * 1024, f"allocated {peak / 1e6:.0f} MB"
    assert wire.calls == []


def test_shipped_diagram_lifecycle_never_calls_eval(canary):
    # the whole chain of the shipped diagram (entry table, 会签, city check), round-tripped at every step
    h = Harness(parse_bundle(DIAGRAM.read_text(encoding="utf-8"), decisions=(TABLE,)), is_enterprise=True)
    h.complete("director_acknowledge", DIRECTOR)
    to_center(h)
    center_round(h)
    h.complete("province_decision", PROVINCE)
    h.complete("local_rectification", RECTIFY)
    h.complete("city_rectification_check", CHECK_OK)
    h.complete("province_verification", {"decision": "close", "verification_opinion": "已核实"})
    assert h.completed and "close_report" in h.topics


def test_decision_table_lifecycle_never_calls_eval(canary):
    bundle = parse_bundle(with_deadline_table(seed_xml()), decisions=[deadline_dmn(county="P5D")])
    h = Harness(bundle)
    assert h.open_elements() == ["county_disposal"]
    assert h.runtime.snapshot(h.workflow).open_tasks[0].due == "P5D"


def test_api_lifecycle_never_calls_eval(api, canary):
    report = api.submit("reporter.agency")
    api.complete("county.610113", report["id"], "county_disposal",
                 {"decision": "resolve", "measures": "现场督促整改", "risk_level": "general", "quality_score": 4})
    assert api.get(f"/reports/{report['id']}", "reporter.agency").get_json()["status"] == "closed"


PAYLOADS = {
    "shell": "__import__('os').system('touch {marker}')",
    "huge_round": "round(1, -1000000000)",
    "huge_format": "'%*d' % (1000000000, 1)",
    "huge_width": "'%1000000000d' % 1",
}


def run_hostile(xml: str, decisions=()):
    runtime = Runtime()
    workflow = runtime.create(parse_bundle(xml, decisions=decisions), {"report_id": 1, "entry_tier": "county"})
    errors = runtime.run(workflow, lambda task, topic, params: task.data.update(entry_tier="county"))
    return errors, runtime.snapshot(workflow)


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
@pytest.mark.parametrize("construct", sorted(HOSTILE_BUILDERS))
def test_hostile_construct_runs_no_code_and_ends_as_incident(canary, tmp_path, construct, payload):
    marker = tmp_path / "pwned"
    errors, snap = run_hostile(HOSTILE_BUILDERS[construct](PAYLOADS[payload].format(marker=marker)))
    assert not marker.exists() and list(tmp_path.iterdir()) == []
    assert errors and snap.error_elements, errors
    assert errors[0].element_id in snap.error_elements
    assert re.search(r"[\u4e00-\u9fff]", errors[0].message), errors[0].message


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
def test_hostile_decision_table_cell_runs_no_code(canary, tmp_path, payload):
    marker = tmp_path / "pwned"
    rule = (f'<rule id="Rule_hostile"><inputEntry id="UnaryTests_hostile"><text>'
            f'{PAYLOADS[payload].format(marker=marker).replace("&", "&amp;").replace("<", "&lt;")}</text></inputEntry>'
            '<outputEntry id="LiteralExpression_hostile"><text>"P1D"</text></outputEntry></rule>\n      ')
    dmn = deadline_dmn().replace('<rule id="Rule_county">', rule + '<rule id="Rule_county">', 1)
    assert "Rule_hostile" in dmn
    errors, snap = run_hostile(with_deadline_table(seed_xml()), decisions=[dmn])
    assert not marker.exists()
    assert [e.element_id for e in errors] == ["decide_county_deadline"]
    assert snap.error_elements == ["decide_county_deadline"]


def test_the_canary_would_catch_the_stock_environment(monkeypatch, tmp_path):
    """Without our environment the library's direct call runs eval: the tripwire sees it."""
    wire = Tripwire()
    monkeypatch.setattr(builtins, "eval", wire.wire("eval", builtins.eval))
    runtime = Runtime()
    workflow = runtime.create(parse_bundle(HOSTILE_BUILDERS["adhoc_completion"]("True")), {})
    monkeypatch.setattr(runtime, "attach", lambda wf, call_topic=None: setattr(
        wf, "script_engine", SafeScriptEngine(runtime.expressions, call_topic)) or setattr(
        wf.script_engine, "environment", TaskDataEnvironment()))
    runtime.run(workflow, lambda task, topic, params: None)
    assert wire.calls and wire.calls[0].startswith("eval from ") and "python_environment" in wire.calls[0]
