"""The safe expression subset: hostile conditions are refused at publish time and never evaluated."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import Runtime, UnsafeExpression, parse_bundle
from engine.expressions import ExpressionEnvironment, check_expression
from services import processes
from services.calendar import CalendarCache, expression_functions
from services.errors import Invalid
from storage.models import ProcessVersion

DIAGRAM = (Path(__file__).resolve().parent.parent / "processes" / "risk_disposal.bpmn").read_text(encoding="utf-8")
TABLE = (Path(__file__).resolve().parent.parent / "processes" / "entry_routing.dmn").read_text(encoding="utf-8")
# the first conditional flow of the county's gateway (its default, escalate, has no condition)
RESOLVE = 'decision == "resolve"</bpmn:conditionExpression>'

HOSTILE = [
    "__import__('os')",
    "__import__('os').system('id')",
    "().__class__.__bases__",
    "().__class__.__bases__[0].__subclasses__()",
    "decision.upper() == 'ESCALATE'",
    "decision.__class__",
    "(lambda: 1)()",
    "lambda: 1",
    "[x for x in decision]",
    "{x for x in decision}",
    "{x: 1 for x in decision}",
    "any(x for x in decision)",
    "decision[0] == 'e'",
    "decision[::-1]",
    "{'a': 1}['a']",
    "__builtins__",
    "_private == 1",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('1')",
    "getattr(decision, 'upper')",
    "globals()",
    "vars()",
    "type(decision)",
    "f'{decision}'",
    "(x := 1)",
    "2 ** 100000000",
    "len(decision, key=1)",
    "int(*decision)",
    "b'bytes' == decision",
    "decision == 'a'; import os",
    "import os",
    "",
    "x" * 600,
]

SAFE = [
    ('decision == "escalate"', {"decision": "escalate"}, True),
    ("entry_tier in ('city', 'province')", {"entry_tier": "city"}, True),
    ("is_enterprise == True and not overdue", {"is_enterprise": True, "overdue": False}, True),
    ("quality_score >= 3 or risk_level == 'major'", {"quality_score": 2, "risk_level": "low"}, False),
    ("len(measures) > 2", {"measures": "现场核查整改"}, True),
    ("max(a, b) - min(a, b) == 3", {"a": 5, "b": 2}, True),
    ("'yes' if flag else 'no'", {"flag": False}, "no"),
    ("missing is None", {}, True),
    ("${decision == 'resolve'}", {"decision": "resolve"}, True),
    ("P7D", {}, "P7D"),
    ('"PT1S"', {}, "PT1S"),
]


@pytest.mark.parametrize("expression", HOSTILE)
def test_hostile_expression_is_refused(expression):
    with pytest.raises(UnsafeExpression) as info:
        check_expression(expression)
    assert str(info.value)  # a message for the workflow owner
    with pytest.raises(UnsafeExpression):
        ExpressionEnvironment().evaluate(expression, {"decision": "escalate"})


@pytest.mark.parametrize("expression, data, expected", SAFE)
def test_safe_subset_evaluates(expression, data, expected):
    env = ExpressionEnvironment()
    env.check(expression)
    assert env.evaluate(expression, data) == expected


def test_task_data_cannot_smuggle_builtins():
    env = ExpressionEnvironment()
    # data keys starting with an underscore are not visible; builtins are absent
    assert env.evaluate("x is None", {"_x": 1, "__builtins__": {"len": None}}) is True
    # a name the data lacks reads as None (an unset form field), never as the builtin of that name
    assert env.evaluate("print", {}) is None
    assert env.evaluate("open is None and eval is None", {}) is True
    assert env.evaluate("print", {"print": 5}) == 5


def hostile_diagram(condition: str) -> str:
    assert DIAGRAM.count(RESOLVE) == 2
    text = DIAGRAM.replace(RESOLVE, f"{condition.replace('<', '&lt;')}</bpmn:conditionExpression>", 1)
    assert text != DIAGRAM
    return text


@pytest.mark.parametrize("condition", [
    "__import__('os').system('touch /tmp/riskmon-pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "decision.startswith('e')",
    "(lambda d: d)(decision) == 'escalate'",
    "[d for d in [decision]] == ['escalate']",
    "decision[0] == 'e'",
])
def test_create_draft_refuses_hostile_condition_naming_the_flow(env, condition):
    before = env.session.scalar(select(func.count()).select_from(ProcessVersion))
    with pytest.raises(Invalid) as info:
        processes.create_draft(env, hostile_diagram(condition))
    details = info.value.details
    assert [d["element_id"] for d in details] == ["flow_county_resolve"], details
    assert "不安全" in details[0]["message"]
    env.session.rollback()
    assert env.session.scalar(select(func.count()).select_from(ProcessVersion)) == before


def test_upload_of_hostile_diagram_is_422_over_the_api(api):
    data = hostile_diagram("__import__('os').system('id')").encode("utf-8")
    res = api.post("/process-versions", "owner", data={"file": (io.BytesIO(data), "evil.bpmn")},
                   content_type="multipart/form-data")
    assert res.status_code == 422, res.get_data(as_text=True)
    error = res.get_json()["error"]
    assert error["code"] == "invalid"
    assert any(d["element_id"] == "flow_county_resolve" for d in error["details"])
    listed = api.get("/process-versions", "owner").get_json()["items"]
    assert all(v["state"] != "draft" for v in listed)


def test_hostile_condition_is_never_evaluated_even_if_validation_is_bypassed(tmp_path):
    """parse_bundle does not validate; the engine's evaluator still refuses to run the code."""
    marker = tmp_path / "pwned"
    bundle = parse_bundle(hostile_diagram(f"__import__('pathlib').Path('{marker}').touch() or True"),
                          decisions=(TABLE,))
    runtime = Runtime(ExpressionEnvironment(expression_functions(CalendarCache())))

    def call_topic(task, topic, params):
        if topic == "register_report":
            task.data.update(report_kind="risk_hazard", domain="use", point_tier="county", is_enterprise=False)

    workflow = runtime.create(bundle, {"report_id": 1})
    assert runtime.run(workflow, call_topic) == []
    (view,) = runtime.snapshot(workflow).open_tasks
    runtime.complete_user_task(workflow, view.id, {"decision": "escalate", "measures": "x",
                                                   "risk_level": "low", "quality_score": 3})
    errors = runtime.run(workflow, call_topic)
    assert errors, "the gateway must fail rather than evaluate the condition"
    assert errors[0].element_id == "gw_county_decision"
    assert "UnsafeExpression" in errors[0].traceback
    assert runtime.snapshot(workflow).error_elements == ["gw_county_decision"]
    assert not marker.exists()


SCRIPT_TASK = '''<bpmn:scriptTask id="evil_script" name="脚本" scriptFormat="python">
      <bpmn:incoming>flow_close_end</bpmn:incoming>
      <bpmn:script>import os; os.system("id")</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="end_report" name="已办结">'''


def test_diagram_with_script_task_is_refused(env):
    text = DIAGRAM.replace('<bpmn:endEvent id="end_report" name="已办结">', SCRIPT_TASK, 1)
    assert "evil_script" in text
    with pytest.raises(Invalid) as info:
        processes.create_draft(env, text)
    assert any(d["element_id"] == "evil_script" and "脚本" in d["message"] for d in info.value.details), \
        info.value.details


def test_camunda_pre_script_is_refused(env):
    listener = ('<camunda:executionListener event="start"><camunda:script scriptFormat="python">'
                'import os</camunda:script></camunda:executionListener>')
    text = DIAGRAM.replace('<camunda:formData>', f'{listener}<camunda:formData>', 1)
    with pytest.raises(Invalid) as info:
        processes.create_draft(env, text)
    assert any("脚本" in d["message"] for d in info.value.details), info.value.details


def test_engine_refuses_to_execute_scripts():
    from engine.dialect import SafeScriptEngine

    engine = SafeScriptEngine(ExpressionEnvironment())
    with pytest.raises(PermissionError):
        engine.execute(None, "import os")


def test_the_real_diagram_passes_validation(env):
    assert processes.validate_diagram(env, DIAGRAM, [TABLE]) == []


@pytest.mark.parametrize("source", ["'a' * 4000000000", "[0] * 1000000000", "10 ** 100", "99999999999 > x",
                                    "x == '" + "a" * 600 + "'"])
def test_expressions_that_would_exhaust_memory_are_refused(source):
    with pytest.raises(UnsafeExpression):
        check_expression(source)
