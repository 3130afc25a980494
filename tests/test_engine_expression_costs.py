"""The cost model of the safe expressions: every operation's result is bounded and every evaluation has a budget.

Hypothesis generates expressions over exactly the allowed node types with random and extreme constants and
extreme task data; each must finish quickly with a value or be refused with UnsafeExpression (or its
subclasses ExpressionFailed / ExpressionBudgetExceeded) carrying a Chinese message — never another
exception, never slow, never large.
"""
from __future__ import annotations

import re
import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.expressions import (
    DEFAULT_FUNCTIONS, MAX_NUMBER, Budget, ExpressionBudgetExceeded, ExpressionEnvironment, ExpressionFailed,
    UnsafeExpression,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")
DATA = {
    "text": "风险" * 30_000, "short": "escalate", "big_list": list(range(5_000)), "nested": [[1, 2], [3, [4]]],
    "big_int": 10**18, "huge_float": 1e308, "tiny": 5e-324, "zero": 0, "flag": True, "nothing": None,
    "words": ["现场", "核查"] * 2_000, "mapping": {"a": 1}, "digits": "9" * 4_000,
}
NAMES = sorted(DATA) + ["missing"]
EXTREME_INTS = [0, 1, -1, 2, 9, 10, 30, 31, 100, 101, 4300, MAX_NUMBER, -MAX_NUMBER, MAX_NUMBER + 1]


def _text():
    return st.one_of(st.text(max_size=20), st.sampled_from(["%s", "%d", "%*d", "%100d", "%101d", "%.100f",
                                                           "%(a)s", "%c", "%r", "%%", "P3D", "9" * 400]))


LEAVES = st.one_of(
    st.integers(-MAX_NUMBER, MAX_NUMBER).map(repr), st.sampled_from(EXTREME_INTS).map(repr),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9).map(repr),
    _text().map(repr), st.sampled_from(["True", "False", "None"]), st.sampled_from(NAMES),
)
BINARY = ["+", "-", "/", "//", "%"]
COMPARE = ["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"]


def _extend(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(BINARY), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["-", "+", "not "]), children).map(lambda t: f"({t[0]}{t[1]})"),
        st.tuples(children, st.sampled_from(["and", "or"]), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(children, st.sampled_from(COMPARE), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(children, children, children).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(st.sampled_from(["[{}]", "({},)", "{{{}}}"]), st.lists(children, min_size=1, max_size=4))
        .map(lambda t: t[0].format(", ".join(t[1]))),
        st.tuples(st.sampled_from(sorted(DEFAULT_FUNCTIONS)), st.lists(children, max_size=3))
        .map(lambda t: f"{t[0]}({', '.join(t[1])})"),
    )


EXPRESSIONS = st.recursive(LEAVES, _extend, max_leaves=25)


def _evaluate(env: ExpressionEnvironment, expression: str):
    try:
        return env.evaluate(expression, DATA)
    except UnsafeExpression as exc:
        assert CHINESE.search(str(exc)), (expression, str(exc))
        return None
    except Exception as exc:  # noqa: BLE001 - the property under test
        pytest.fail(f"{expression!r} raised {type(exc).__name__}: {exc}")


def _cpu_seconds(env: ExpressionEnvironment, expression: str) -> float:
    started = time.thread_time()
    _evaluate(env, expression)
    return time.thread_time() - started


def assert_bounded(env: ExpressionEnvironment, expression: str) -> None:
    """Finishes within 50 ms of CPU with a small value, or is refused with a Chinese UnsafeExpression."""
    # A slow expression is slow every time; a first call may also pay one-off costs (a lazily imported
    # module for an unusual error message), so a slow first measurement is taken again.
    spent = _cpu_seconds(env, expression)
    if spent >= 0.05:
        spent = _cpu_seconds(ExpressionEnvironment(), expression)
    assert spent < 0.05, (expression, spent)
    tracemalloc.start()
    try:
        value = _evaluate(ExpressionEnvironment(), expression)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024, (expression, peak)
    if isinstance(value, int) and not isinstance(value, bool):
        assert abs(value) <= 10**18
    if isinstance(value, (str, list, tuple, set)):
        assert len(value) <= 100_000


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_generated_expressions_finish_within_budget_or_are_refused(expression):
    assert_bounded(ExpressionEnvironment(), expression)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_arbitrary_text_is_refused_or_evaluated_never_crashes(text):
    assert_bounded(ExpressionEnvironment(), text)


@pytest.mark.parametrize("expression", [
    "round(1, -1000000000)", "round(1, 1000000000)", "round(1.5, -1000000000)", "round(huge_float)",
    "'%*d' % (1000000000, 1)", "'%1000000000d' % 1", "'%.1000000000f' % 1", "'%s' % text + text",
    "'%s%s%s' % (text, text, text)", "'%(a)s' % mapping", "'%s' % big_list", "'%c' % 1000000000",
    "str(big_list)", "str(nested)", "len(big_int)", "int(digits)", "int(huge_float)", "float(digits)",
    "text + text + text + text", "words + words + words", "big_list + big_list + big_list",
    "sum(words)", "sum([[1], [2]])", "min([])", "max(1, 'a')", "any(big_int)",
    "big_int + big_int", "big_int - -big_int", "1 / 0", "1 // zero", "1 % 0",
    "{[1]}", "'a' < 1", "1 in 1", "-'a'", "int(missing)",
])
def test_operations_with_unbounded_results_are_refused(expression):
    with pytest.raises(ExpressionFailed) as info:
        ExpressionEnvironment().evaluate(expression, DATA)
    assert CHINESE.search(str(info.value)), str(info.value)


@pytest.mark.parametrize("expression, expected", [
    ("round(1234, -2)", 1200), ("round(2.675, 2)", 2.67), ("'%5.1f' % 3.14159", "  3.1"),
    ("'第 %d 次' % 3", "第 3 次"), ("int(' 42 ')", 42), ("str(7) + '天'", "7天"), ("len(short)", 8),
    ("max(words)", "现场"), ("sum([1, 2, 3.5])", 6.5), ("any([0, None, 1])", True), ("all([])", True),
    ("min(3, 1, 2)", 1), ("abs(-3)", 3), ("float('1.5')", 1.5), ("bool('')", False),
    ("big_int - 1", 10**18 - 1), ("'%%' % ()", "%"),
])
def test_ordinary_uses_still_work(expression, expected):
    assert ExpressionEnvironment().evaluate(expression, DATA) == expected


def test_operation_budget_stops_a_long_costly_chain_in_chinese():
    expression = " and ".join(["big_list == big_list"] * 20)
    with pytest.raises(ExpressionBudgetExceeded, match="预算"):
        ExpressionEnvironment().evaluate(expression, DATA)
    assert ExpressionEnvironment(budget=Budget(operations=10**7)).evaluate(expression, DATA) is True


def test_wall_time_budget_is_enforced_in_chinese():
    with pytest.raises(ExpressionBudgetExceeded, match="超时"):
        ExpressionEnvironment(budget=Budget(seconds=-1)).evaluate("1 + 1", {})


def test_nesting_is_bounded_before_evaluation():
    for expression in ("-" * 400 + "1", "[" * 150 + "1" + "]" * 150, "not " * 120 + "x"):
        with pytest.raises(UnsafeExpression) as info:
            ExpressionEnvironment().evaluate(expression, {})
        assert CHINESE.search(str(info.value))


def test_syntax_errors_are_reported_in_chinese():
    with pytest.raises(UnsafeExpression) as info:
        ExpressionEnvironment().check("decision ==")
    assert "语法" in str(info.value) and "invalid syntax" not in str(info.value)


def test_a_custom_function_failure_is_wrapped_in_chinese():
    def boom(n):
        raise RuntimeError("kaput")

    with pytest.raises(ExpressionFailed, match="函数 boom"):
        ExpressionEnvironment({**DEFAULT_FUNCTIONS, "boom": boom}).evaluate("boom(1)", {})
