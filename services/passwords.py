"""The password policy (等保 2.0 level 3: complexity and periodic change) and password expiry."""
from __future__ import annotations

import re
from datetime import timedelta
from functools import cache
from pathlib import Path

from storage.models import User, utcnow

from .errors import Invalid

MIN_LENGTH = 10
MIN_CLASSES = 3
PASSWORD_RULES = (f"密码至少 {MIN_LENGTH} 位，且须包含大写字母、小写字母、数字和特殊字符中的至少三类；"
                  "不得包含用户名，不得使用常见弱密码（如 Passw0rd、Admin@123456、1qaz2wsx）")
COMMON_LIST = Path(__file__).resolve().parent.parent / "storage" / "data" / "common_passwords.txt"
_CLASSES = (r"[A-Z]", r"[a-z]", r"\d", r"[^A-Za-z0-9]")
# Look-alike characters people put inside a word ("P@ssw0rd"); "1" and "!" stand for both i and l.
_LOOK_ALIKE = str.maketrans({"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "8": "b"})


@cache
def common_passwords() -> frozenset[str]:
    """The bundled weak-password list (lower case), read once."""
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _cores(password: str) -> set[str]:
    """The word a password is built around: decorations at both ends dropped, look-alikes undone."""
    lowered = password.lower()
    inner = re.sub(r"^[^a-z]+|[^a-z]+$", "", lowered).translate(_LOOK_ALIKE)
    cores = {re.sub(r"[^a-z]", "", lowered)}
    for one in ("i", "l"):
        cores.add(re.sub(r"[^a-z]", "", inner.replace("1", one).replace("!", one)))
    return cores


def is_common(password: str) -> bool:
    """True when the password is on the weak list or is a listed word with digits and symbols around it."""
    weak = common_passwords()
    return password.lower() in weak or any(core in weak for core in _cores(password) if core)


def check_password_strength(password: str, username: str = "") -> None:
    """Raise Invalid (with the rule that failed) unless the password meets the policy."""
    classes = sum(bool(re.search(p, password)) for p in _CLASSES)
    if len(password) < MIN_LENGTH or classes < MIN_CLASSES:
        raise Invalid(PASSWORD_RULES)
    if username and username.strip().lower() in password.lower():
        raise Invalid("密码不得包含用户名")
    if is_common(password):
        raise Invalid("该密码属于常见弱密码，容易被猜中，请换一个")


def password_expired(user: User, max_age_days: int) -> bool:
    """True when the person must choose a new password before working (reset by an admin, or too old)."""
    if user.must_change_password:
        return True
    if max_age_days <= 0:
        return False
    changed = user.password_changed_at or user.created_at
    return changed is None or changed < utcnow() - timedelta(days=max_age_days)
