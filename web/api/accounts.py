"""Account administration: list, create, change and deactivate accounts; bulk import of reporters.

Password resets stay at POST /admin/users/<id>/reset-password (web/api/sessions.py).
"""
from __future__ import annotations

import io

from flask import jsonify, request, send_file
from marshmallow import RAISE, Schema, fields, validate

from services import account_import, accounts
from services.directory import division_names
from web import env

from . import api
from .auth import current_user
from .common import BadRequest, json_body, listing, load, paging
from .openapi import MULTIPART_FILE, doc
from .responses import Answer, page_of
from .schemas import REQUIRED

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_CONTENT = {XLSX: {"schema": {"type": "string", "format": "binary"}}}


class AccountQuery(Schema):
    role = fields.String(metadata={"description": "角色"})
    division = fields.String(metadata={"description": "行政区划代码"})
    q = fields.String(metadata={"description": "登录名、姓名或电话包含的文字"})
    page = fields.Integer()
    per_page = fields.Integer()


class AccountCreate(Schema):
    class Meta:
        unknown = RAISE

    username = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(max=64))
    display_name = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(max=64))
    password = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(max=128))
    role = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(max=32))
    division_code = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(max=6))
    monitoring_point_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                         validate=validate.Range(min=1, max=2**63 - 1))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))


class AccountUpdate(Schema):
    class Meta:
        unknown = RAISE

    active = fields.Boolean()
    display_name = fields.String(validate=validate.Length(max=64))
    role = fields.String(validate=validate.Length(max=32))
    division_code = fields.String(validate=validate.Length(max=6))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))


class AccountOut(Answer):
    id = fields.Integer(required=True)
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.String())
    division_code = fields.String(allow_none=True)
    division_name = fields.String(allow_none=True, metadata={"description": "行政区划名称"})
    monitoring_point_id = fields.Integer(allow_none=True)
    phone = fields.String(allow_none=True)
    active = fields.Boolean()
    must_change_password = fields.Boolean()


class ImportRowError(Answer):
    row = fields.Integer()
    message = fields.String()


class ImportOut(Answer):
    created = fields.Integer(required=True)
    errors = fields.List(fields.Nested(ImportRowError))


def account_json(user, divisions: dict[str, str] | None = None) -> dict:
    """One account; `divisions` (code → name) names its division (looked up when not given)."""
    if divisions is None:
        divisions = division_names(env(), [user.division_code])
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "roles": user.roles,
            "division_code": user.division_code, "division_name": divisions.get(user.division_code),
            "monitoring_point_id": user.monitoring_point_id,
            "phone": user.phone, "active": user.active, "must_change_password": bool(user.must_change_password)}


@api.get("/admin/users")
@doc("账户列表（管理员全部；市、县监管人员本辖区监测点人员）", query=AccountQuery, response=page_of(AccountOut))
def list_accounts():
    """Accounts the caller manages, with filters."""
    page, per_page = paging()
    filters = accounts.AccountFilter(role=request.args.get("role") or None,
                                     division=request.args.get("division") or None, q=request.args.get("q") or None)
    rows, total = accounts.list_accounts(env(), current_user(), filters, page, per_page)
    names = division_names(env(), [u.division_code for u in rows])
    return jsonify(listing([account_json(u, names) for u in rows], total, page, per_page))


@api.post("/admin/users")
@doc("创建账户", body=AccountCreate, response=AccountOut, status=201, errors=(409,))
def create_account():
    """Create an account; the person chooses their own password at first sign-in."""
    body = load(AccountCreate(), json_body())
    user = accounts.create_account(env(), current_user(), accounts.AccountInput(**body))
    return jsonify(account_json(user)), 201


@api.get("/admin/users/<int:user_id>")
@doc("账户详情", response=AccountOut)
def get_account(user_id: int):
    """One account the caller manages."""
    return jsonify(account_json(accounts.get_account(env(), current_user(), user_id)))


@api.patch("/admin/users/<int:user_id>")
@doc("修改、停用或启用账户（停用立即使其全部会话失效）", body=AccountUpdate, response=AccountOut)
def update_account(user_id: int):
    """Change name, role, division, phone or the active flag."""
    body = load(AccountUpdate(), json_body())
    return jsonify(account_json(accounts.update_account(env(), current_user(), user_id, body)))


@api.get("/admin/users/import-template")
@doc("下载信息报送员批量导入模板（XLSX）", response=None, content=XLSX_CONTENT)
def account_import_template():
    """The XLSX template of the bulk import."""
    accounts.list_accounts(env(), current_user(), accounts.AccountFilter(), 1, 1)  # managers only
    return send_file(io.BytesIO(account_import.template_bytes()), mimetype=XLSX, as_attachment=True,
                     download_name="reporters-template.xlsx")


@api.post("/admin/users/import")
@doc("批量导入信息报送员（XLSX；任一行有误则全部不导入）", body=MULTIPART_FILE, response=ImportOut, errors=(413,))
def import_accounts():
    """All rows or none; the answer lists each bad row."""
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest("请以 multipart/form-data 上传文件，字段名为 file")
    limit = env().settings.max_upload_bytes
    content = upload.stream.read(limit + 1)
    return jsonify(account_import.import_reporters(env(), current_user(), content, limit))
