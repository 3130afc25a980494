"""System settings (/admin/settings): admins read them and change one value at a time (audit-logged)."""
from __future__ import annotations

from flask import jsonify
from marshmallow import RAISE, Schema, fields, validate

from services import system_settings
from web import env

from . import api
from .admin import admin_only
from .auth import current_user
from .common import json_body, load
from .openapi import doc
from .presenters import iso
from .responses import SystemSettingOut, page_of
from .schemas import REQUIRED


class SettingUpdate(Schema):
    class Meta:
        unknown = RAISE

    value = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(max=64),
                          metadata={"description": "取值之一（见 options 的 id），如 agency_entry 的 same（本级）或 above（上一级）"})


def _json(setting: dict) -> dict:
    return {**setting, "updated_at": iso(setting["updated_at"])}


@api.get("/admin/settings")
@doc("系统设置列表", response=page_of(SystemSettingOut, paged=False))
@admin_only
def list_system_settings():
    """Every system setting with its current value and choices."""
    items = [_json(s) for s in system_settings.list_settings(env(), current_user())]
    return jsonify({"items": items, "total": len(items)})


@api.get("/admin/settings/<key>")
@doc("查看一项系统设置", response=SystemSettingOut)
@admin_only
def get_system_setting(key: str):
    """One setting by its key (agency_entry: 监管部门报送员的报送进入层级)."""
    return jsonify(_json(system_settings.get_setting(env(), current_user(), key)))


@api.put("/admin/settings/<key>")
@doc("修改一项系统设置（记入审计日志）", body=SettingUpdate, response=SystemSettingOut, errors=(409,))
@admin_only
def put_system_setting(key: str):
    """Set the value; 422 for a value outside the options, 404 for an unknown key."""
    body = load(SettingUpdate(), json_body())
    return jsonify(_json(system_settings.change_setting(env(), current_user(), key, body["value"])))
