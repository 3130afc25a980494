"""Credentials over the API: change one's password, sign out everywhere, an admin's reset and revoke."""
from __future__ import annotations

from flask import jsonify
from marshmallow import RAISE, Schema, fields, validate

from services import auth as auth_service
from services.errors import Forbidden, NotFound
from storage.models import User
from web import env

from . import api
from .auth import current_user
from .common import json_body, load
from .openapi import doc
from .responses import Answer
from .schemas import REQUIRED


class MessageOut(Answer):
    message = fields.String(required=True)


class PasswordChange(Schema):
    class Meta:
        unknown = RAISE

    old_password = fields.String(required=True, validate=validate.Length(min=1, max=256), error_messages=REQUIRED)
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=256), error_messages=REQUIRED)


class PasswordReset(Schema):
    class Meta:
        unknown = RAISE

    password = fields.String(required=True, validate=validate.Length(min=1, max=256), error_messages=REQUIRED)


@api.post("/me/password", endpoint="change_my_password")
@doc("修改本人密码（其他会话随之失效）", body=PasswordChange, response=MessageOut)
def change_my_password():
    """Change the caller's password; every token (this one too) stops working, sign in again."""
    body = load(PasswordChange(), json_body())
    auth_service.change_password(env(), current_user(), body["old_password"], body["new_password"])
    return jsonify({"message": "密码已修改，请使用新密码重新获取令牌"})


@api.post("/me/revoke-sessions", endpoint="revoke_my_sessions")
@doc("使本人全部会话和令牌失效", response=MessageOut)
def revoke_my_sessions():
    """Sign the caller out everywhere: every page session and API token (this one too) stops working."""
    user = current_user()
    auth_service.revoke_sessions(env(), user, actor=user)
    return jsonify({"message": "已使您的全部登录会话和访问令牌失效"})


def _admin_target(user_id: int) -> User:
    if not current_user().has_role("admin"):
        raise Forbidden("只有系统管理员可以管理他人的登录会话")
    target = env().session.get(User, user_id)
    if target is None:
        raise NotFound("人员不存在")
    return target


@api.post("/admin/users/<int:user_id>/revoke-sessions")
@doc("使某人全部会话和令牌失效（管理员）", response=MessageOut)
def revoke_user_sessions(user_id: int):
    """An admin signs a person out everywhere (every page session and API token)."""
    auth_service.revoke_sessions(env(), _admin_target(user_id), actor=current_user())
    return jsonify({"message": "已使该人员的全部登录会话和访问令牌失效"})


@api.post("/admin/users/<int:user_id>/reset-password")
@doc("重置密码（下次登录须修改）", body=PasswordReset, response=MessageOut)
def reset_user_password(user_id: int):
    """An admin sets a person's password; they must change it at the next sign-in."""
    target = _admin_target(user_id)  # refuse non-admins before looking at the body
    body = load(PasswordReset(), json_body())
    auth_service.reset_password(env(), current_user(), target.id, body["password"])
    return jsonify({"message": "密码已重置，该人员下次登录时须修改密码"})
