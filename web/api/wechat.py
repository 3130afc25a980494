"""The WeChat mini-program's own endpoints: sign-in with a `wx.login` code, binding, client settings."""
from __future__ import annotations

from flask import jsonify
from marshmallow import RAISE, Schema, fields, validate

from services import wechat
from web import env

from . import api, auth
from .auth import current_user
from .common import json_body, load
from .openapi import doc
from .presenters import iso
from .responses import TokenOut, WechatBindingOut, WechatConfigOut
from .schemas import REQUIRED


class CodeRequest(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, error_messages=REQUIRED,
                         validate=validate.Regexp(r"^[\x21-\x7e]{1,128}$", error="code 应为 wx.login 返回的登录凭证"))


def _binding_json(binding) -> dict:
    return {"bound": binding is not None, "bound_at": iso(binding.created_at) if binding else None}


@api.post("/auth/wechat", endpoint="issue_wechat_token")
@doc("微信小程序登录（wx.login 凭证换取访问令牌）", body=CodeRequest, response=TokenOut, public=True,
     errors=(401, 423, 501, 502))
def issue_wechat_token():
    """Sign in from the mini-program with a `wx.login` code (501 when WeChat is not configured)."""
    body = load(CodeRequest(), json_body())
    user = wechat.sign_in_with_code(env(), body["code"])
    return jsonify({"token": auth.issue(user), "expires_in": env().settings.token_max_age_seconds})


@api.get("/me/wechat-binding")
@doc("我的微信绑定状态", response=WechatBindingOut)
def get_wechat_binding():
    """Whether the caller's account is bound to a WeChat user."""
    return jsonify(_binding_json(wechat.binding_for(env(), current_user())))


@api.post("/me/wechat-binding")
@doc("绑定微信（wx.login 凭证）", body=CodeRequest, response=WechatBindingOut, errors=(409, 501, 502))
def bind_wechat():
    """Bind the caller's account to the WeChat user behind a `wx.login` code."""
    body = load(CodeRequest(), json_body())
    return jsonify(_binding_json(wechat.bind_wechat(env(), current_user(), body["code"])))


@api.delete("/me/wechat-binding")
@doc("解除微信绑定", response=WechatBindingOut)
def unbind_wechat():
    """Remove the caller's WeChat binding."""
    wechat.unbind_wechat(env(), current_user())
    return jsonify(_binding_json(None))


@api.get("/wechat/config")
@doc("小程序配置（是否可微信登录、订阅消息模板）", response=WechatConfigOut)
def wechat_config():
    """What the mini-program needs to know: whether WeChat sign-in works, subscribe-message template ids."""
    settings = env().settings
    return jsonify({"login_enabled": wechat.configured(settings),
                    "subscribe_templates": wechat.subscribe_templates(settings)})
