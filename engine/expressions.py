"""The safe expression subset used by gateway conditions, timers, DMN cells and everything else
SpiffWorkflow evaluates.

SpiffWorkflow's default script engine is plain ``eval`` with full builtins, so a condition such as
``__import__('os').system(...)`` would run on the server. Every expression here is parsed with
``ast``, checked against a whitelist, and then interpreted node by node (never ``eval``) under a cost
model: see expression_eval.py.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping

from .expression_eval import (  # noqa: F401 - the error types are part of this module's interface
    Budget, Evaluation, ExpressionBudgetExceeded, ExpressionFailed, UnsafeExpression, default_functions,
)

ISO_DURATION = re.compile(
    r"^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
MAX_EXPRESSION_LENGTH = 500
# No multiplication or powers and bounded constants: `'a' * 4000000000` must not exhaust memory.
MAX_NUMBER = 10**9
MAX_DEPTH = 100

_ALLOWED_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
    ast.BinOp, ast.Add, ast.Sub, ast.Div, ast.Mod, ast.FloorDiv,
    ast.IfExp, ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Call,
)
_ALLOWED_CONSTANTS = (str, int, float, bool, type(None))


DEFAULT_FUNCTIONS: Mapping[str, Callable] = default_functions()


def normalize(expression: str) -> str:
    """Strip whitespace and a Camunda-style ``${...}`` wrapper."""
    text = (expression or "").strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    return text


def is_literal_timer_value(expression: str) -> bool:
    """An unquoted ISO-8601 duration (P7D) or date-time, as Camunda Modeler users type them."""
    text = normalize(expression)
    return bool(ISO_DURATION.match(text) or ISO_DATETIME.match(text))


def check_expression(expression: str, functions: Mapping[str, Callable] = DEFAULT_FUNCTIONS,
                     max_length: int = MAX_EXPRESSION_LENGTH) -> ast.Expression:
    """Parse and vet an expression; raise UnsafeExpression naming the first offending construct."""
    text = normalize(expression)
    if not text:
        raise UnsafeExpression("表达式为空")
    if len(text) > max_length:
        raise UnsafeExpression(f"表达式过长（超过 {max_length} 个字符）")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise UnsafeExpression(f"表达式语法错误：第 {exc.offset or 1} 列附近{_syntax_hint(exc.msg)}") from None
    except (ValueError, RecursionError, MemoryError):
        raise UnsafeExpression("表达式无法解析（含有非法字符或嵌套过深）") from None
    _check_depth(tree)
    for node in ast.walk(tree):
        _check_node(node, functions)
    return tree


def _check_depth(tree: ast.AST) -> None:
    """Nesting is bounded so that evaluation never nears Python's recursion limit."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise UnsafeExpression(f"表达式嵌套过深（不能超过 {MAX_DEPTH} 层）")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


_SYNTAX_HINTS = (("never closed", "括号未闭合"), ("unterminated string", "字符串引号未闭合"),
                 ("unmatched", "括号不匹配"), ("unexpected EOF", "表达式不完整"), ("unexpected indent", "多了缩进"),
                 ("invalid character", "有不能使用的字符（如中文标点）"), ("Maybe you meant '=='", "应使用 == 比较"))


def _syntax_hint(message: str) -> str:
    """Python's English SyntaxError message as a short Chinese hint."""
    for needle, hint in _SYNTAX_HINTS:
        if needle in (message or ""):
            return f"语法错误：{hint}"
    return "语法错误"


def _check_constant(value) -> None:
    if not isinstance(value, _ALLOWED_CONSTANTS):
        raise UnsafeExpression("不允许使用该类型的常量")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        raise UnsafeExpression(f"数值常量过大（绝对值不能超过 {MAX_NUMBER}）")
    if isinstance(value, str) and len(value) > MAX_EXPRESSION_LENGTH:
        raise UnsafeExpression("字符串常量过长")


def _check_node(node: ast.AST, functions: Mapping[str, Callable]) -> None:
    if isinstance(node, ast.Attribute):
        raise UnsafeExpression(f"不允许访问属性“.{node.attr}”")
    if isinstance(node, ast.Lambda):
        raise UnsafeExpression("不允许使用 lambda")
    if not isinstance(node, _ALLOWED_NODES):
        raise UnsafeExpression(f"不允许使用该语法：{type(node).__name__}")
    if isinstance(node, ast.Name) and (node.id.startswith("_") or "__" in node.id):
        raise UnsafeExpression(f"不允许使用以下划线开头的名称“{node.id}”")
    if isinstance(node, ast.Constant):
        _check_constant(node.value)
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            raise UnsafeExpression(f"不允许访问属性“.{node.func.attr}”")
        if not isinstance(node.func, ast.Name) or node.func.id not in functions:
            name = node.func.id if isinstance(node.func, ast.Name) else "?"
            raise UnsafeExpression(f"不允许调用函数“{name}”（可用：{'、'.join(sorted(functions))}）")
        if node.keywords:
            raise UnsafeExpression("函数调用不允许使用关键字参数")


class ExpressionEnvironment:
    """Vets (cached per text) and interprets expressions with a fixed set of functions and a budget."""

    def __init__(self, functions: Mapping[str, Callable] | None = None, budget: Budget | None = None):
        self.functions = dict(DEFAULT_FUNCTIONS if functions is None else functions)
        self.budget = budget or Budget()
        self._cache: dict[str, ast.Expression] = {}

    def check(self, expression: str) -> None:
        """Raise UnsafeExpression unless the expression is a literal timer value or in the subset."""
        if not is_literal_timer_value(expression):
            check_expression(expression, self.functions)

    def evaluate(self, expression: str, data: Mapping, external: Mapping | None = None):
        """Evaluate against task data (then `external` names); ISO-8601 durations and date-times are literals.

        A name the data lacks reads as None, as an unset form field; names starting with an underscore are
        never visible. Raises UnsafeExpression (or its subclasses ExpressionFailed and
        ExpressionBudgetExceeded), always with a Chinese message.
        """
        text = normalize(expression)
        if is_literal_timer_value(text):
            return text
        tree = self._cache.get(text)
        if tree is None:
            tree = check_expression(text, self.functions)
            if len(self._cache) < 4096:
                self._cache[text] = tree
        return Evaluation(_lookup(data, external or {}), self.functions, self.budget).run(tree)


def _lookup(data: Mapping, external: Mapping) -> Callable[[str], object]:
    def lookup(name: str):
        if name.startswith("_"):
            return None
        if name in data:
            return data[name]
        return external.get(name)
    return lookup
