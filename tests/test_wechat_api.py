"""Mini-program sign-in: code2session against a local stub, binding, deactivated accounts, client settings."""
from __future__ import annotations

import socket
from dataclasses import replace

import pytest
from sqlalchemy import select

from storage.models import User
from web import create_app
from web.extensions import db

from app_helpers import run
from conftest import PASSWORD, Api
from wechat_stub import WechatStub


@pytest.fixture
def stub():
    with WechatStub() as server:
        yield server


def _app(settings, **overrides):
    return create_app(replace(settings, **overrides))


@pytest.fixture
def wx_app(settings, stub):
    app = _app(settings, wechat_appid=stub.appid, wechat_secret=stub.secret, wechat_api_base=stub.base,
               wechat_template_task="tmpl-task-1", wechat_template_outcome="tmpl-outcome-1")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def wx(wx_app):
    return Api(wx_app.test_client())


def _deactivate(app, username):
    def fn(env):
        env.session.scalar(select(User).where(User.username == username)).active = False
        env.session.commit()
    run(app, fn)


def test_without_settings_wechat_sign_in_answers_501_in_chinese(client):
    res = client.post("/api/v1/auth/wechat", json={"code": "any"})
    assert res.status_code == 501
    error = res.get_json()["error"]
    assert error["code"] == "wechat_not_configured" and "未配置微信小程序" in error["message"]
    assert client.get("/api/v1/wechat/config", headers=_bearer(client, "reporter.unit")).get_json() == {
        "login_enabled": False, "subscribe_templates": {}}


def _bearer(client, username):
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_bound_code_signs_in_as_the_bound_account(wx, stub):
    stub.codes.update({"code-bind": "openid-reporter", "code-login": "openid-reporter"})
    res = wx.post("/me/wechat-binding", "reporter.unit", json={"code": "code-bind"})
    assert res.status_code == 200 and res.get_json()["bound"] is True
    assert wx.get("/me/wechat-binding", "reporter.unit").get_json()["bound"] is True
    res = wx.client.post("/api/v1/auth/wechat", json={"code": "code-login"})
    assert res.status_code == 200, res.get_json()
    me = wx.client.get("/api/v1/me", headers={"Authorization": f"Bearer {res.get_json()['token']}"})
    assert me.get_json()["username"] == "reporter.unit"
    sent = stub.requests[-1]
    assert sent["path"] == "/sns/jscode2session" and sent["js_code"] == "code-login"
    assert sent["grant_type"] == "authorization_code" and sent["appid"] == stub.appid


def test_unbound_and_invalid_codes_are_refused(wx, stub):
    stub.codes["code-stranger"] = "openid-stranger"
    res = wx.client.post("/api/v1/auth/wechat", json={"code": "code-stranger"})
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "wechat_not_bound"
    assert "尚未绑定" in res.get_json()["error"]["message"]
    res = wx.client.post("/api/v1/auth/wechat", json={"code": "expired"})
    assert res.status_code == 401 and "凭证无效" in res.get_json()["error"]["message"]


def test_one_wechat_user_cannot_be_bound_to_two_accounts(wx, stub):
    stub.codes.update({"c1": "openid-shared", "c2": "openid-shared", "c3": "openid-other"})
    assert wx.post("/me/wechat-binding", "reporter.unit", json={"code": "c1"}).status_code == 200
    res = wx.post("/me/wechat-binding", "director.unit", json={"code": "c2"})
    assert res.status_code == 409 and "已绑定其他" in res.get_json()["error"]["message"]
    # Re-binding one's own account to another WeChat user replaces the old binding.
    assert wx.post("/me/wechat-binding", "reporter.unit", json={"code": "c3"}).status_code == 200
    stub.codes["c4"] = "openid-shared"
    assert wx.client.post("/api/v1/auth/wechat", json={"code": "c4"}).status_code == 401
    assert wx.call("DELETE", "/me/wechat-binding", "reporter.unit").get_json()["bound"] is False
    stub.codes["c5"] = "openid-other"
    assert wx.client.post("/api/v1/auth/wechat", json={"code": "c5"}).status_code == 401


def test_deactivated_account_gets_no_token_by_password_or_by_wechat(wx_app, wx, stub):
    stub.codes.update({"b": "openid-director", "l": "openid-director"})
    assert wx.post("/me/wechat-binding", "director.unit", json={"code": "b"}).status_code == 200
    _deactivate(wx_app, "director.unit")
    res = wx.client.post("/api/v1/auth/wechat", json={"code": "l"})
    assert res.status_code == 401 and "已停用" in res.get_json()["error"]["message"]
    res = wx.client.post("/api/v1/auth/token", json={"username": "director.unit", "password": PASSWORD})
    assert res.status_code == 401 and "token" not in res.get_json()


def test_a_password_change_voids_the_wechat_binding(wx_app, wx, stub):
    """Someone who bound their WeChat with a stolen password loses it when the owner changes the password."""
    from services.auth import hash_password

    stub.codes.update({"b": "openid-thief", "l1": "openid-thief", "l2": "openid-thief", "b2": "openid-thief"})
    assert wx.post("/me/wechat-binding", "reporter.unit", json={"code": "b"}).status_code == 200
    assert wx.client.post("/api/v1/auth/wechat", json={"code": "l1"}).status_code == 200

    def change(env):
        user = env.session.scalar(select(User).where(User.username == "reporter.unit"))
        user.password_hash = hash_password("Neu#Passwort2026")
        env.session.commit()
    run(wx_app, change)
    res = wx.client.post("/api/v1/auth/wechat", json={"code": "l2"})
    assert res.status_code == 401 and "重新绑定" in res.get_json()["error"]["message"]


def test_a_token_issued_before_deactivation_stops_working(wx_app, wx):
    assert wx.get("/me", "reporter.unit").status_code == 200
    _deactivate(wx_app, "reporter.unit")
    assert wx.get("/me", "reporter.unit").status_code == 401


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 5}, {"code": "a b"}, {"code": "x" * 129},
                                  {"code": "ok", "extra": 1}])
def test_bad_codes_are_422_not_500(wx, body):
    res = wx.client.post("/api/v1/auth/wechat", json=body)
    assert res.status_code == 422 and res.get_json()["error"]["message"].startswith("提交的数据不合法")


def test_unreachable_wechat_is_a_clear_502(settings):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = _app(settings, wechat_appid="a", wechat_secret="s", wechat_api_base=f"http://127.0.0.1:{port}")
    res = app.test_client().post("/api/v1/auth/wechat", json={"code": "c"})
    assert res.status_code == 502 and "无法连接微信服务器" in res.get_json()["error"]["message"]
    with app.app_context():
        db.engine.dispose()


def test_binding_needs_a_signed_in_caller(wx):
    assert wx.client.post("/api/v1/me/wechat-binding", json={"code": "x"}).status_code == 401


def test_client_settings_give_the_subscribe_template_ids(wx):
    data = wx.get("/wechat/config", "reporter.unit").get_json()
    assert data == {"login_enabled": True, "subscribe_templates": {"task": "tmpl-task-1", "outcome": "tmpl-outcome-1"}}


def test_equipment_catalogue_cascades_from_category_to_variety(api):
    data = api.get("/equipment-types", "reporter.unit").get_json()
    by_code = {r["code"]: r for r in data["items"]}
    assert data["total"] == len(data["items"]) > 50
    assert by_code["3000"]["level"] == "category" and by_code["3000"]["parent"] is None
    assert by_code["3110"]["parent"] == "3100" and by_code["3100"]["parent"] == "3000"
    assert by_code["7100"]["parent"] == "7000" and by_code["7000"]["level"] == "component_category"


def test_report_json_carries_the_outcome_fields(api):
    report = api.submit()
    data = api.get(f"/reports/{report['id']}", "reporter.agency").get_json()
    assert {"outcome", "resolved_tier", "resolved_tier_label"} <= set(data)


def test_openapi_lists_the_mini_program_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths["/auth/wechat"]["post"]["security"] == []
    for path, method in [("/me/wechat-binding", "post"), ("/me/wechat-binding", "delete"),
                         ("/wechat/config", "get"), ("/equipment-types", "get")]:
        assert paths[path][method]["security"] == [{"bearer": []}]
        assert not paths[path][method]["summary"].startswith("api.")
