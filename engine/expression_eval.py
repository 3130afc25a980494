"""The interpreter behind the safe expression subset: no `eval`, and a cost model on every operation.

Python's `eval` of a vetted tree is not enough: inside the subset `round(1, -10**9)` builds a number
with a billion digits and `'%*d' % (10**9, 1)` a 1 GB string. Here every node is interpreted by hand,
each operation is charged against a budget (operation units and wall time), and every intermediate
result is bounded in size before or right after it is made.
"""
from __future__ import annotations

import ast
import math
import operator
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MAX_RESULT_INT = 10**18
MAX_RESULT_STRING = 100_000
MAX_RESULT_ITEMS = 10_000
MAX_FORMAT_WIDTH = 100
MAX_ROUND_DIGITS = 30
MAX_NUMBER_TEXT = 50
_SCALARS = (str, int, float, bool, type(None))
_SIZED = (str, bytes, list, tuple, set, frozenset, dict)
_FORMAT_SPEC = re.compile(r"%(\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.?)")
_KIND_NAMES = {str: "字符串", int: "整数", float: "小数", bool: "布尔值", type(None): "空值", list: "列表",
               tuple: "元组", set: "集合", dict: "字典"}


class UnsafeExpression(ValueError):
    """An expression outside the whitelisted subset; the message is Chinese and user-facing."""


class ExpressionFailed(UnsafeExpression):
    """A vetted expression failed while it was evaluated (wrong types, division by zero, too large)."""


class ExpressionBudgetExceeded(ExpressionFailed):
    """The evaluation used more operations or time than its budget allows."""


@dataclass(frozen=True)
class Budget:
    """How much one evaluation may cost: operation units (1 per node, more for large values) and time."""

    operations: int = 20_000
    seconds: float = 0.2


def kind_name(value) -> str:
    """The Chinese name of a value's type, for error messages."""
    return _KIND_NAMES.get(type(value), type(value).__name__)


def weight(value) -> int:
    """Extra cost units of touching a value: proportional to its length, 0 for scalars."""
    if isinstance(value, (str, bytes)):
        return len(value) // 64
    if isinstance(value, _SIZED):
        return len(value)
    return 0


def bounded(value):
    """Refuse a result larger than the cost model allows; return it otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_RESULT_INT:
        raise ExpressionFailed("计算结果超出允许范围（整数的绝对值不能超过 10^18）")
    if isinstance(value, str) and len(value) > MAX_RESULT_STRING:
        raise ExpressionFailed(f"计算结果过长（字符串不能超过 {MAX_RESULT_STRING} 个字符）")
    if isinstance(value, (list, tuple, set, frozenset, dict)) and len(value) > MAX_RESULT_ITEMS:
        raise ExpressionFailed(f"计算结果过大（集合不能超过 {MAX_RESULT_ITEMS} 个元素）")
    return value


def _check_sizes(a, b) -> None:
    """Before concatenating: the result's length is known, so refuse it without building it."""
    if isinstance(a, str) and isinstance(b, str) and len(a) + len(b) > MAX_RESULT_STRING:
        raise ExpressionFailed(f"计算结果过长（字符串不能超过 {MAX_RESULT_STRING} 个字符）")
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) + len(b) > MAX_RESULT_ITEMS:
        raise ExpressionFailed(f"计算结果过大（集合不能超过 {MAX_RESULT_ITEMS} 个元素）")


def _format_width(text: str | None) -> int:
    if text == "*":
        raise ExpressionFailed("字符串格式化不允许使用 * 指定宽度或精度")
    width = int(text) if text else 0
    if width > MAX_FORMAT_WIDTH:
        raise ExpressionFailed(f"字符串格式化的宽度或精度不能超过 {MAX_FORMAT_WIDTH}")
    return width


def format_percent(template: str, args):
    """`template % args` with every width and precision bounded and only scalar arguments."""
    values = args if isinstance(args, tuple) else (args,)
    if not all(isinstance(v, _SCALARS) for v in values):
        raise ExpressionFailed("字符串格式化只接受数字、字符串、布尔值或空值")
    size = len(template) + sum(len(v) if isinstance(v, str) else 32 for v in values)
    for match in _FORMAT_SPEC.finditer(template):
        if match.group(1):
            raise ExpressionFailed("字符串格式化不允许使用 %(名称) 形式")
        size += _format_width(match.group(2)) + _format_width(match.group(3))
    if size > MAX_RESULT_STRING:
        raise ExpressionFailed(f"计算结果过长（字符串不能超过 {MAX_RESULT_STRING} 个字符）")
    return template % args


def _mod(a, b):
    if isinstance(a, str):
        return format_percent(a, b)
    return operator.mod(a, b)


def _add(a, b):
    _check_sizes(a, b)
    return operator.add(a, b)


_BINARY: dict[type, tuple[str, Callable]] = {
    ast.Add: ("+", _add), ast.Sub: ("-", operator.sub), ast.Div: ("/", operator.truediv),
    ast.FloorDiv: ("//", operator.floordiv), ast.Mod: ("%", _mod),
}
_COMPARE: dict[type, tuple[str, Callable]] = {
    ast.Eq: ("==", operator.eq), ast.NotEq: ("!=", operator.ne), ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le), ast.Gt: (">", operator.gt), ast.GtE: (">=", operator.ge),
    ast.In: ("in", lambda a, b: a in b), ast.NotIn: ("not in", lambda a, b: a not in b),
    ast.Is: ("is", operator.is_), ast.IsNot: ("is not", operator.is_not),
}


def _numeric(value, symbol: str):
    if not isinstance(value, (int, float)):
        raise ExpressionFailed(f"“{symbol}”只能用于数字，不能用于{kind_name(value)}")
    return value


_UNARY: dict[type, Callable] = {
    ast.Not: operator.not_, ast.USub: lambda v: -_numeric(v, "-"), ast.UAdd: lambda v: +_numeric(v, "+"),
}


def operate(symbol: str, function: Callable, a, b):
    """Apply a binary operator, turning Python's errors into Chinese ones."""
    try:
        return function(a, b)
    except UnsafeExpression:
        raise
    except ZeroDivisionError:
        raise ExpressionFailed(f"“{symbol}”的除数不能为零") from None
    except TypeError:
        raise ExpressionFailed(f"“{symbol}”不能用于{kind_name(a)}和{kind_name(b)}") from None
    except (OverflowError, ValueError) as exc:
        raise ExpressionFailed(f"计算“{symbol}”失败：数值超出范围（{exc}）") from None


class Evaluation:
    """One run of one vetted tree against task data, charged against a budget."""

    def __init__(self, lookup: Callable[[str], object], functions: Mapping[str, Callable], budget: Budget):
        self.lookup = lookup
        self.functions = functions
        self.budget = budget
        self.used = 0
        self.deadline = time.monotonic() + budget.seconds

    def charge(self, units: int = 1) -> None:
        """Spend budget; refuse with a Chinese message once either limit is passed."""
        self.used += units
        if self.used > self.budget.operations:
            raise ExpressionBudgetExceeded(f"表达式计算量超出预算（上限 {self.budget.operations} 步），已停止计算")
        if time.monotonic() > self.deadline:
            raise ExpressionBudgetExceeded(f"表达式计算超时（上限 {int(self.budget.seconds * 1000)} 毫秒），已停止计算")

    def run(self, tree: ast.Expression):
        """The value of the expression."""
        try:
            return self.visit(tree.body)
        except RecursionError:
            raise ExpressionFailed("表达式嵌套过深，无法计算") from None
        except MemoryError:
            raise ExpressionFailed("表达式计算所需内存过大，已停止计算") from None

    def visit(self, node: ast.AST):
        self.charge()
        return _VISITORS[type(node)](self, node)

    def constant(self, node: ast.Constant):
        return node.value

    def name(self, node: ast.Name):
        return self.lookup(node.id)

    def bool_op(self, node: ast.BoolOp):
        want = isinstance(node.op, ast.Or)
        value = None
        for operand in node.values:
            value = self.visit(operand)
            if bool(value) is want:
                return value
        return value

    def unary(self, node: ast.UnaryOp):
        return _UNARY[type(node.op)](self.visit(node.operand))

    def binary(self, node: ast.BinOp):
        a, b = self.visit(node.left), self.visit(node.right)
        self.charge(weight(a) + weight(b))
        symbol, function = _BINARY[type(node.op)]
        return bounded(operate(symbol, function, a, b))

    def compare(self, node: ast.Compare):
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            right = self.visit(right_node)
            self.charge(weight(left) + weight(right))
            symbol, function = _COMPARE[type(op)]
            if not operate(symbol, function, left, right):
                return False
            left = right
        return True

    def if_exp(self, node: ast.IfExp):
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def sequence(self, node):
        items = [self.visit(element) for element in node.elts]
        kind = {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(node)]
        try:
            return kind(items)
        except TypeError:
            raise ExpressionFailed("集合的元素必须是数字、字符串等不可变的值") from None

    def call(self, node: ast.Call):
        name = node.func.id
        function = self.functions.get(name)
        if function is None:
            raise UnsafeExpression(f"不允许调用函数“{name}”")
        args = [self.visit(arg) for arg in node.args]
        self.charge(sum(weight(a) for a in args))
        try:
            result = function(*args)
        except UnsafeExpression:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of a whitelisted function is the expression's
            raise ExpressionFailed(f"函数 {name}() 调用失败：{_reason(exc)}") from None
        return bounded(result)


def _reason(exc: Exception) -> str:
    if isinstance(exc, TypeError):
        return "参数的个数或类型不正确"
    if isinstance(exc, OverflowError):
        return "数值超出范围"
    return str(exc) or type(exc).__name__


_VISITORS: dict[type, Callable] = {
    ast.Constant: Evaluation.constant, ast.Name: Evaluation.name, ast.BoolOp: Evaluation.bool_op,
    ast.UnaryOp: Evaluation.unary, ast.BinOp: Evaluation.binary, ast.Compare: Evaluation.compare,
    ast.IfExp: Evaluation.if_exp, ast.List: Evaluation.sequence, ast.Tuple: Evaluation.sequence,
    ast.Set: Evaluation.sequence, ast.Call: Evaluation.call,
}


# -- the whitelisted functions, each bounded in what it may be asked to build ----------------------------
def _sized(value, name: str):
    if not isinstance(value, _SIZED):
        raise ExpressionFailed(f"{name}() 需要字符串或列表，不能用于{kind_name(value)}")
    return value


def safe_len(value) -> int:
    """len() of a string or collection."""
    return len(_sized(value, "len"))


def _extreme(name: str, pick: Callable):
    def extreme(*args):
        values = _sized(args[0], name) if len(args) == 1 else args
        if len(values) == 0:
            raise ExpressionFailed(f"{name}() 的参数不能为空")
        try:
            return pick(values)
        except TypeError:
            raise ExpressionFailed(f"{name}() 的参数之间无法比较大小") from None
    extreme.__name__ = name
    return extreme


def safe_abs(value):
    """abs() of a number."""
    return abs(_numeric(value, "abs"))


def _number_text(value, name: str) -> str:
    text = value.strip()
    if len(text) > MAX_NUMBER_TEXT:
        raise ExpressionFailed(f"{name}() 的文本过长（不能超过 {MAX_NUMBER_TEXT} 个字符）")
    return text


def _parse_number(text: str, kind: type, label: str):
    try:
        return kind(text)
    except ValueError:
        raise ExpressionFailed(f"“{text[:20]}”不是有效的{label}") from None


def safe_int(value) -> int:
    """int() of a number, boolean or short numeric text."""
    if isinstance(value, str):
        return bounded(_parse_number(_number_text(value, "int"), int, "整数"))
    if isinstance(value, float) and not math.isfinite(value):
        raise ExpressionFailed("int() 不能转换无穷大或非数字")
    return bounded(int(_numeric(value, "int")))


def safe_float(value) -> float:
    """float() of a number, boolean or short numeric text."""
    if isinstance(value, str):
        return _parse_number(_number_text(value, "float"), float, "数字")
    return float(_numeric(value, "float"))


def safe_str(value=""):
    """str() of a scalar (a collection's text could be arbitrarily large)."""
    if not isinstance(value, _SCALARS):
        raise ExpressionFailed(f"str() 只能用于数字、字符串、布尔值或空值，不能用于{kind_name(value)}")
    return str(value)


def safe_bool(value=False) -> bool:
    """bool() of any value."""
    return bool(value)


def safe_round(value, digits=None):
    """round() with at most 30 digits either way: round(1, -10**9) would build 10**(10**9)."""
    _numeric(value, "round")
    if digits is None:
        return bounded(round(value)) if math.isfinite(value) else value
    if not isinstance(digits, int) or isinstance(digits, bool) or abs(digits) > MAX_ROUND_DIGITS:
        raise ExpressionFailed(f"round() 的位数须为 -{MAX_ROUND_DIGITS} 到 {MAX_ROUND_DIGITS} 之间的整数")
    return bounded(round(value, digits))


def _truth(name: str, reduce: Callable):
    def truth(values):
        return reduce(_sized(values, name))
    truth.__name__ = name
    return truth


def safe_sum(values):
    """sum() of numbers only (a sum of lists or strings would concatenate)."""
    items = _sized(values, "sum")
    if not all(isinstance(v, (int, float)) for v in items):
        raise ExpressionFailed("sum() 只能对数字求和")
    return bounded(sum(items))


def default_functions() -> dict[str, Callable]:
    """The whitelisted functions every expression may call."""
    return {"len": safe_len, "min": _extreme("min", min), "max": _extreme("max", max), "abs": safe_abs,
            "int": safe_int, "float": safe_float, "str": safe_str, "bool": safe_bool, "round": safe_round,
            "any": _truth("any", any), "all": _truth("all", all), "sum": safe_sum}
