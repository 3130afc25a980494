"""The publish dry run, in memory: attackers' drafts are caught with the element and the path; the
shipped diagram and the owners' change fixtures pass, quickly."""
from __future__ import annotations

import time

import pytest
from dry_run_diagrams import (
    with_archive_loop, with_condition_failing_on_a_sample, with_dead_end_option, with_group, with_manual_task,
    with_rework_due_garbage,
)
from legacy_diagrams import (
    deadline_dmn, replace_once, seed_xml, with_county_deadline, with_deadline_table, with_double_check,
    with_major_to_center,
)

from engine import Runtime, parse_bundle
from engine.dry_run import DryRunner, dry_run
from engine.dry_run_choices import output_variants, task_variants
from handlers.outputs import DECLARED_OUTPUTS
from services.publish_checks import resolvable_group
from storage.models import Role


def run(xml: str, decisions: tuple[str, ...] = (), **kwargs):
    runner = DryRunner(Runtime(), DECLARED_OUTPUTS, [r.value for r in Role], resolvable_group, **kwargs)
    return dry_run(runner, parse_bundle(xml, decisions=decisions), xml, decisions)


def only_problem(result, element_id: str):
    assert not result.ok, "the dry run let the draft through"
    found = [p for p in result.problems if p.element_id == element_id]
    assert found, [p.as_dict() for p in result.problems]
    return found[0]


def test_shipped_diagram_passes_fast_and_tries_every_decision():
    run(seed_xml())  # parse caches warm
    started = time.perf_counter()
    result = run(seed_xml())
    elapsed = time.perf_counter() - started
    print(f"\ndry run of processes/risk_disposal.bpmn: {elapsed * 1000:.0f} ms, {result.paths} paths, "
          f"{result.steps} engine steps")
    assert result.ok, [p.as_dict() for p in result.problems]
    assert result.notes == []
    assert result.paths >= 6
    assert elapsed < 2.0  # < 0.3 s on an idle machine; generous for a shared one


OWNER_FIXTURES = [
    ("double_check", lambda: (with_double_check(seed_xml()), ())),
    ("deadline_2s", lambda: (with_county_deadline(seed_xml(), "PT2S"), ())),
    ("deadline_10d", lambda: (with_county_deadline(seed_xml(), "P10D"), ())),
    ("major_to_center", lambda: (with_major_to_center(seed_xml()), ())),
    ("deadline_table", lambda: (with_deadline_table(seed_xml()), (deadline_dmn("P7D"),))),
    ("deadline_table_2s", lambda: (with_deadline_table(seed_xml()), (deadline_dmn("PT2S"),))),
]


@pytest.mark.parametrize("make", [m for _, m in OWNER_FIXTURES], ids=[n for n, _ in OWNER_FIXTURES])
def test_owner_change_fixtures_pass(make):
    xml, decisions = make()
    result = run(xml, decisions)
    assert result.ok, [p.as_dict() for p in result.problems]


def test_decision_option_without_a_way_out_is_named_with_its_path():
    problem = only_problem(run(with_dead_end_option(seed_xml())), "gw_city_decision")
    assert "没有满足条件的出口流向" in problem.message
    assert problem.path[-1] == "市级研判：研判结论=已消除隐患，办结"


def test_group_that_no_jurisdiction_works_is_refused():
    problem = only_problem(run(with_group(seed_xml(), "inspection_consultation", "workflow_owner")),
                           "inspection_consultation")
    assert "workflow_owner" in problem.message and "辖区" in problem.message
    assert "市级研判：研判结论=征求综合检验机构意见" in problem.path


def test_manual_task_without_group_is_refused():
    problem = only_problem(run(with_manual_task(seed_xml())), "inspection_consultation")
    assert "没有候选组" in problem.message


def test_due_date_garbage_for_one_option_is_refused():
    problem = only_problem(run(with_rework_due_garbage(seed_xml())), "local_rectification")
    assert "P15X" in problem.message
    assert "省局复核：复核结论=退回整改" in problem.path
    assert problem.path.index("省局复核：复核结论=退回整改") == len(problem.path) - 1


def test_loop_without_a_person_is_caught_fast():
    started = time.perf_counter()
    result = run(with_archive_loop(seed_xml()))
    elapsed = time.perf_counter() - started
    assert elapsed < 5, elapsed
    problem = result.problems[0]
    assert problem.element_id in ("close_report", "gw_archive_again")
    assert "死循环" in problem.message


def test_condition_failing_on_one_declared_handler_sample_is_refused():
    problem = only_problem(run(with_condition_failing_on_a_sample(seed_xml())), "gw_enterprise")
    assert any("is_enterprise=False" in step for step in problem.path), problem.path


def test_timer_whose_value_is_garbage_is_refused():
    xml = with_county_deadline(seed_xml(), "PT2S")
    xml = replace_once(xml, ">PT2S</bpmn:timeDuration>", '>"七天"</bpmn:timeDuration>')
    problem = only_problem(run(xml), "county_deadline")
    assert "七天" in problem.message and "定时器" in problem.message


def test_decision_table_without_a_matching_row_is_refused():
    """The table answers city and province entries only; county reports reach it and find no row."""
    table = deadline_dmn("P7D").replace('<text>"county"</text>', '<text>"county_level"</text>').replace(
        '<inputEntry id="UnaryTests_other"><text>-</text>', '<inputEntry id="UnaryTests_other"><text>"city"</text>')
    result = run(with_deadline_table(seed_xml()), (table,))
    assert not result.ok
    problem = result.problems[0]
    assert problem.element_id in ("decide_county_deadline", "county_disposal", "county_deadline"), problem
    assert any("entry_tier=county" in step for step in problem.path), problem.path


def test_path_bound_stops_a_loop_through_people():
    """Every option of 省局复核 sends it back: the bound ends the path and names the loop."""
    xml = replace_once(seed_xml(), 'default="flow_verification_close"', "")
    xml = replace_once(xml, '<bpmn:sequenceFlow id="flow_verification_close" name="同意销号" sourceRef="gw_verification" '
                            'targetRef="merge_chain_end" />',
                       '<bpmn:sequenceFlow id="flow_verification_close" name="同意销号" sourceRef="gw_verification" '
                       'targetRef="merge_chain_end"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                       'decision == "never"</bpmn:conditionExpression></bpmn:sequenceFlow>')
    xml = replace_once(xml, '>decision == "rework"<', '>decision != "never"<')
    started = time.perf_counter()
    result = run(xml)
    assert time.perf_counter() - started < 5
    assert any("回路" in p.message for p in result.problems), [p.as_dict() for p in result.problems]


def test_every_option_and_every_sample_becomes_a_choice():
    form = {"fields": [{"id": "decision", "label": "结论", "type": "enum", "required": True,
                        "options": [{"id": "a", "name": "甲"}, {"id": "b", "name": "乙"}]},
                       {"id": "ok", "label": "同意", "type": "boolean", "required": False, "options": []},
                       {"id": "note", "label": "说明", "type": "string", "required": True, "options": []}]}
    labels = [c.label for c in task_variants("t", "任务", form, frozenset({"decision", "ok"}))]
    assert labels == ["任务：结论=甲；同意=是", "任务：结论=乙；同意=是", "任务：结论=甲；同意=否",
                      "任务：结论=甲；同意=未填写"]
    assert task_variants("t", "任务", form, frozenset())[0].label == "任务：提交"
    assert output_variants({"tier": ["a", "b", "c"], "flag": [True, False], "no": "x"}) == [
        {"tier": "a", "flag": True, "no": "x"}, {"tier": "b", "flag": False, "no": "x"},
        {"tier": "c", "flag": True, "no": "x"}]


def test_path_that_stops_without_task_or_timer_is_refused():
    """Non-enterprise reports end their unit branch at an end event: the parallel join waits forever."""
    xml = replace_once(seed_xml(), 'sourceRef="gw_enterprise" targetRef="merge_unit"',
                       'sourceRef="gw_enterprise" targetRef="director_reminder_end"')
    result = run(xml)
    assert not result.ok
    problem = next(p for p in result.problems if "停住" in p.message)
    assert problem.element_id == "join_branches"
    assert any("is_enterprise=False" in step for step in problem.path), problem.path


def test_timer_loop_a_person_can_leave_passes():
    """The county deadline sends the task back to the county: a loop, but each county choice leaves it."""
    xml = replace_once(seed_xml(), '<bpmn:sequenceFlow id="flow_county_deadline" sourceRef="county_deadline" '
                                   'targetRef="county_mark_overdue" />',
                       '<bpmn:sequenceFlow id="flow_county_deadline" sourceRef="county_deadline" '
                       'targetRef="county_disposal" />')
    started = time.perf_counter()
    result = run(xml)
    assert time.perf_counter() - started < 10
    assert result.paths >= 1  # the loop is legal: each county choice still leaves it, so it passes
    assert result.ok, [p.as_dict() for p in result.problems]


def test_timer_loop_without_a_person_or_an_end_is_refused():
    """After archiving, a gateway always sends the report to wait an hour and archive again: the decision
    bound names the loop instead of running forever."""
    xml = with_archive_loop(seed_xml())
    xml = replace_once(xml, 'sourceRef="gw_archive_again" targetRef="close_report">',
                       'sourceRef="gw_archive_again" targetRef="wait_again">')
    xml = replace_once(xml, '<bpmn:endEvent id="end_report" name="已办结">',
                       '<bpmn:intermediateCatchEvent id="wait_again" name="一小时后再归档">'
                       '<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H'
                       '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>\n'
                       '    <bpmn:sequenceFlow id="flow_wait_again" sourceRef="wait_again" targetRef="close_report" />\n'
                       '    <bpmn:endEvent id="end_report" name="已办结">')
    started = time.perf_counter()
    result = run(xml)
    assert time.perf_counter() - started < 10
    problem = next(p for p in result.problems if "回路" in p.message)
    assert "时间推进：“一小时后再归档”到期" in problem.path


def test_loop_without_a_gateway_is_refused_in_chinese():
    """close_report → timer → close_report with no gateway: SpiffWorkflow cannot even predict the path."""
    xml = replace_once(seed_xml(), '<bpmn:sequenceFlow id="flow_close_end" sourceRef="close_report" targetRef="end_report" />',
                       '<bpmn:sequenceFlow id="flow_close_end" sourceRef="close_report" targetRef="wait_again" />\n'
                       '    <bpmn:sequenceFlow id="flow_wait_again" sourceRef="wait_again" targetRef="close_report" />\n'
                       '    <bpmn:intermediateCatchEvent id="wait_again" name="一小时后再归档">'
                       '<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H'
                       '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')
    result = run(xml)
    assert not result.ok
    assert all("recursion" not in p.message for p in result.problems)
    assert any("回路" in p.message for p in result.problems), [p.as_dict() for p in result.problems]


def test_a_failure_outside_any_step_is_a_finding_not_a_crash(monkeypatch):
    """Whatever breaks while the explorer inspects a path ends up as a problem on that path."""
    from engine import dry_run as module

    def broken(workflow):
        raise ValueError("坏的定时器值")

    monkeypatch.setattr(module, "_timers", broken)
    result = run(seed_xml())
    assert not result.ok and "坏的定时器值" in result.problems[0].message
