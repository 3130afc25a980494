"""Who a user task is for (camunda:assignee, camunda:candidateUsers) and what its form shows on top.

Both attributes take literal account names (`zhang.san`, `a,b`) or one `${name}` expression over the
task's data (a multi-instance element variable such as `${center_member}`), evaluated with the safe
expression subset. A value that names nobody is kept as an empty restriction, never dropped silently.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from .expressions import ExpressionEnvironment, UnsafeExpression

ACCOUNT = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
# An assignee expression that evaluated to nothing: nobody may work the task (and an admin sees why). It is
# outside ACCOUNT's characters, so no account can carry it, and PostgreSQL can store it (unlike a NUL byte).
NOBODY = "<未指定>"


def is_expression(text: str) -> bool:
    """`${...}`: evaluated against task data; anything else is a literal list of account names."""
    text = (text or "").strip()
    return text.startswith("${") and text.endswith("}")


def literal_accounts(text: str) -> tuple[str, ...]:
    """Comma-separated account names."""
    return tuple(name.strip() for name in (text or "").split(",") if name.strip())


def check_people(expressions: ExpressionEnvironment, text: str) -> str | None:
    """A Chinese problem message for a bad assignee/candidateUsers value, or None."""
    if is_expression(text):
        try:
            expressions.check(text)
        except UnsafeExpression as exc:
            return f"表达式“{text[:80]}”不合法：{exc}"
        return None
    bad = [name for name in literal_accounts(text) if not ACCOUNT.match(name)]
    return f"账号“{bad[0]}”不合法（应为登录账号，多个以逗号分隔）" if bad else None


def _names(value) -> tuple[str, ...]:
    if isinstance(value, str):
        return literal_accounts(value)
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if isinstance(v, (str, int)) and str(v))
    return ()


def _resolve(expressions: ExpressionEnvironment, text: str | None, data: Mapping) -> tuple[str, ...] | None:
    if not text or not text.strip():
        return None
    if is_expression(text):
        return _names(expressions.evaluate(text, data))
    return literal_accounts(text)


def people_of(expressions: ExpressionEnvironment, ext: Mapping, data: Mapping) -> tuple[str | None, tuple[str, ...]]:
    """(assignee, candidate users) of a task; an assignee that resolves to no one becomes NOBODY."""
    assignee = _resolve(expressions, ext.get("assignee"), data)
    users = _resolve(expressions, ext.get("candidateUsers"), data) or ()
    if assignee is None:
        return None, users
    return (assignee[0] if assignee else NOBODY), users


def notice_of(data: Mapping) -> str | None:
    """What the next person must read first: the reason of a 退回, or the reporter's supplement."""
    decision = data.get("decision")
    if decision == "return" and data.get("return_reason"):
        return f"上一环节退回，理由：{str(data['return_reason'])[:1000]}"
    if decision == "return_to_reporter":
        lines = []
        if data.get("supplement_request"):
            lines.append(f"县级请报送人补充：{str(data['supplement_request'])[:1000]}")
        if data.get("supplement_text"):
            lines.append(f"报送人已补充：{str(data['supplement_text'])[:1000]}")
        return "\n".join(lines) or None
    return None
