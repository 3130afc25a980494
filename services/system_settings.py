"""System settings admins change at run time (/admin/settings): read them, change one with an audit entry.

The only setting so far is 监管部门报送员的报送进入层级 (storage.models.AGENCY_ENTRY): register_report hands it
to the diagram as `agency_entry`, and the shipped entry table sends a supervision agency's own reports one
tier up when it is "above". Every change appends an ``admin_setting_changed`` event (who, when, before,
after), shown on /admin/audit.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage.database import begin_write
from storage.models import SETTING_DEFINITIONS, SettingDefinition, SystemSetting, User, utcnow
from storage.repositories import add_event, setting_value

from .admin_queries import require_admin
from .context import Env
from .directory import user_names
from .errors import Conflict, Invalid, NotFound

AUDIT_KIND = "admin_setting_changed"


def definition(key: str) -> SettingDefinition:
    """The setting called `key`, or 404."""
    found = SETTING_DEFINITIONS.get(key) if isinstance(key, str) else None
    if found is None:
        raise NotFound(f"没有名为“{str(key)[:64]}”的系统设置")
    return found


def list_settings(env: Env, user: User) -> list[dict]:
    """Every setting with its current value, choices, and who changed it last (admins only)."""
    require_admin(user)
    rows = {row.key: row for row in env.session.scalars(select(SystemSetting))}
    names = user_names(env, {r.updated_by_id for r in rows.values()})
    return [_setting_json(env, d, rows.get(d.key), names) for d in SETTING_DEFINITIONS.values()]


def get_setting(env: Env, user: User, key: str) -> dict:
    """One setting as list_settings shows it."""
    require_admin(user)
    found = definition(key)
    row = env.session.get(SystemSetting, found.key)
    return _setting_json(env, found, row, user_names(env, {row.updated_by_id} if row else set()))


def _setting_json(env: Env, found: SettingDefinition, row: SystemSetting | None, names: dict[int, str]) -> dict:
    value = setting_value(env.session, found)
    return {"key": found.key, "label": found.label, "description": found.description,
            "value": value, "value_label": found.label_of(value), "default": found.default,
            "options": [{"id": v, "name": label} for v, label in found.choices],
            "updated_at": row.updated_at if row else None,
            "updated_by": names.get(row.updated_by_id) if row and row.updated_by_id else None}


def change_setting(env: Env, actor: User, key: str, value: object) -> dict:
    """Set one setting to one of its choices (admins only); a real change is audit-logged, a no-op is not."""
    require_admin(actor)
    found = definition(key)
    if not found.allows(value):
        allowed = "、".join(f"{v}（{label}）" for v, label in found.choices)
        raise Invalid(f"“{found.label}”的取值应为 {allowed}",
                      details=[{"field": "value", "message": f"可选：{allowed}"}])
    begin_write(env.session)
    row = env.session.get(SystemSetting, found.key, with_for_update=True)
    before = setting_value(env.session, found)
    stored_before = row.value if row is not None else None
    if before == value and stored_before == value:
        return get_setting(env, actor, key)
    if row is None:
        row = SystemSetting(key=found.key)
        env.session.add(row)
    row.value, row.updated_by_id, row.updated_at = value, actor.id, utcnow()
    add_event(env.session, AUDIT_KIND,
              f"{actor.display_name} 将系统设置“{found.label}”由“{found.label_of(before)}”改为“{found.label_of(value)}”",
              actor_id=actor.id, data={"setting": found.label, "before": found.label_of(before),
                                       "after": found.label_of(value), "key": found.key,
                                       "value_before": stored_before, "value_after": value})
    try:
        env.session.commit()
    except IntegrityError:  # another admin created the row at the same moment
        env.session.rollback()
        raise Conflict("该设置刚被其他管理员修改，请刷新后重试") from None
    return get_setting(env, actor, key)
