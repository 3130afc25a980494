"""Sign-in and the caller's profile."""
from __future__ import annotations

from flask import jsonify, request

from services.auth import authenticate, must_change_password
from web import env

from . import api, auth
from .openapi import doc
from .responses import TokenOut, UserOut
from .common import json_body, load
from .presenters import user_json
from .schemas import TokenRequest


@api.post("/auth/token", endpoint="issue_token")
@doc("用户名密码换取访问令牌", body=TokenRequest, response=TokenOut, public=True, errors=(401, 423, 429))
def issue_token():
    """Exchange username and password for a bearer token."""
    body = load(TokenRequest(), json_body())
    user = authenticate(env(), body["username"], body["password"], client=request.remote_addr or "")
    return jsonify({"token": auth.issue(user), "expires_in": env().settings.token_max_age_seconds})


@api.get("/me")
@doc("当前用户", response=UserOut)
def me():
    """The caller."""
    user = auth.current_user()
    return jsonify({**user_json(user), "must_change_password": must_change_password(env(), user)})
