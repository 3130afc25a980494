"""Saved inbox filters: a person names a set of /tasks filters to apply again later."""
from __future__ import annotations

from sqlalchemy import select

from storage.database import begin_write
from storage.models import SavedFilter, User, utcnow

from .context import Env
from .errors import Conflict, Invalid, NotFound

FILTER_KEYS = ("status", "kind", "category", "division", "from", "to", "q", "sort")
MAX_FILTERS = 30
VALUE_MAX = 200


def list_filters(env: Env, user: User) -> list[SavedFilter]:
    """The person's saved filters, by name."""
    return list(env.session.scalars(select(SavedFilter).where(SavedFilter.user_id == user.id)
                                    .order_by(SavedFilter.name)))


def _clean_params(params) -> dict:
    if not isinstance(params, dict):
        raise Invalid("筛选条件必须是对象", details=[{"field": "params", "message": "必须是对象"}])
    unknown = sorted(set(params) - set(FILTER_KEYS))
    if unknown:
        raise Invalid("不认识的筛选条件：" + "、".join(map(str, unknown)),
                      details=[{"field": "params", "message": f"可用：{'、'.join(FILTER_KEYS)}"}])
    clean = {}
    for key, value in params.items():
        if value in (None, ""):
            continue
        if not isinstance(value, str) or len(value) > VALUE_MAX:
            raise Invalid(f"筛选条件 {key} 必须是不超过 {VALUE_MAX} 个字符的文字")
        clean[key] = value.strip()
    return clean


def save_filter(env: Env, user: User, name, params) -> SavedFilter:
    """Save (or overwrite, by name) one of the person's filters."""
    begin_write(env.session)
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 64:
        raise Invalid("请填写 1 到 64 个字符的名称", details=[{"field": "name", "message": "1 到 64 个字符"}])
    clean = _clean_params(params)
    row = env.session.scalar(select(SavedFilter).where(SavedFilter.user_id == user.id,
                                                       SavedFilter.name == name.strip()))
    if row is None:
        if len(list_filters(env, user)) >= MAX_FILTERS:
            raise Conflict(f"最多保存 {MAX_FILTERS} 个筛选条件，请先删除不用的")
        row = SavedFilter(user_id=user.id, name=name.strip(), created_at=utcnow())
        env.session.add(row)
    row.params = clean
    env.session.commit()
    return row


def delete_filter(env: Env, user: User, filter_id: int) -> None:
    """Delete one of the person's own filters (someone else's is 404, as if it did not exist)."""
    begin_write(env.session)
    row = env.session.get(SavedFilter, filter_id)
    if row is None or row.user_id != user.id:
        raise NotFound("筛选条件不存在")
    env.session.delete(row)
    env.session.commit()
