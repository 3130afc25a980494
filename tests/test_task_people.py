"""Who a task is for (assignee / candidateUsers) and what its form shows first: the attacker's inputs."""
from __future__ import annotations

import pytest

from engine import ExpressionEnvironment
from engine.task_people import ACCOUNT, NOBODY, check_people, notice_of, people_of

ENV = ExpressionEnvironment()


def test_literal_names_and_expressions():
    assert people_of(ENV, {"assignee": "zhang.san"}, {}) == ("zhang.san", ())
    assert people_of(ENV, {"candidateUsers": "a, b,,c"}, {}) == (None, ("a", "b", "c"))
    assert people_of(ENV, {"assignee": "${center_member}"}, {"center_member": "center.b"}) == ("center.b", ())
    assert people_of(ENV, {"candidateUsers": "${panel}"}, {"panel": ["x", "y", {"bad": 1}]}) == (None, ("x", "y"))
    assert people_of(ENV, {}, {}) == (None, ())


def test_an_assignee_that_names_nobody_locks_the_task_instead_of_opening_it():
    """A missing variable must not silently widen the task to the whole group."""
    assert people_of(ENV, {"assignee": "${missing}"}, {}) == (NOBODY, ())
    assert people_of(ENV, {"assignee": "${items}"}, {"items": []}) == (NOBODY, ())
    assert not ACCOUNT.match(NOBODY) and "\x00" not in NOBODY


@pytest.mark.parametrize("value", ["${__import__('os').getcwd()}", "${a.b}", "a b", "名字", "x;y"])
def test_bad_people_values_are_refused(value):
    assert check_people(ENV, value)


@pytest.mark.parametrize("value", ["county.b", "a,b", "${center_member}", "x@y.cn"])
def test_good_people_values_pass(value):
    assert check_people(ENV, value) is None


def test_notice_shows_the_reason_of_a_return_or_the_supplement():
    assert "缺照片" in notice_of({"decision": "return", "return_reason": "缺照片"})
    assert notice_of({"decision": "return"}) is None
    assert notice_of({"decision": "escalate", "return_reason": "旧理由"}) is None  # a stale reason is not shown
    both = notice_of({"decision": "return_to_reporter", "supplement_request": "补代码", "supplement_text": "已补"})
    assert "补代码" in both and "已补" in both
    assert len(notice_of({"decision": "return", "return_reason": "长" * 5000})) < 1100
