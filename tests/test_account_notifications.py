"""The account page where each person chooses notification channels (/account/notifications)."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from storage.models import NotificationPreference, OutboxChannel, OutboxMessage, User
from storage.repositories import add_notification
from web import create_app
from web.extensions import db

from pages_helpers import signed_in, token

PAGE = "/account/notifications"


@pytest.fixture
def gateway_app(settings):
    """An installation with an SMTP server and an SMS/WeChat gateway configured."""
    application = create_app(dataclasses.replace(settings, smtp_host="smtp.example.cn",
                                                 webhook_url="https://gateway.example.cn/notify",
                                                 webhook_secret="gateway-secret"))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def save(client, **fields):
    data = {"csrf_token": token(client, PAGE), "email_address": "", "phone": ""}
    data.update(fields)
    return client.post(PAGE, data=data)


def stored(app, username: str) -> tuple[User, NotificationPreference | None]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        pref = db.session.get(NotificationPreference, user.id)
        db.session.expunge_all()
        return user, pref


def test_page_is_labelled_and_linked_from_the_account_and_notification_pages(app):
    client = signed_in(app, "director.unit")
    html = client.get(PAGE).get_data(as_text=True)
    for field, label in (("email_address", "电子邮箱"), ("phone", "手机号码"), ("ch_email", "电子邮件"),
                         ("ch_webhook", "短信/微信网关"), ("ch_in_app", "站内消息")):
        assert f'<label for="{field}">{label}</label>' in html
    assert 'id="ch_in_app" type="checkbox" checked disabled' in html
    assert "本系统尚未开通邮件发送服务" in html and 'name="csrf_token"' in html
    assert f'href="{PAGE}"' in client.get("/account/password").get_data(as_text=True)
    assert f'href="{PAGE}"' in client.get("/notifications").get_data(as_text=True)


def test_post_without_csrf_token_is_refused(app):
    client = signed_in(app, "director.unit")
    res = client.post(PAGE, data={"email_address": "a@example.cn", "email": "1"})
    assert res.status_code == 400
    assert stored(app, "director.unit")[1] is None


def test_email_refused_when_smtp_is_not_configured(app):
    client = signed_in(app, "director.unit")
    res = save(client, email_address="zhang@example.cn", email="1")
    assert res.status_code == 422
    html = res.get_data(as_text=True)
    assert "本系统尚未开通邮件发送服务，暂不能选择电子邮件" in html
    assert "SMTP" not in html and "WEBHOOK" not in html  # no setting names for the person at the desk
    assert 'id="ch_email" name="email" type="checkbox" value="1" disabled' in html  # and not left ticked
    assert 'value="zhang@example.cn"' in html  # what was typed is kept
    user, pref = stored(app, "director.unit")
    assert pref is None and user.email != "zhang@example.cn"


def test_unconfigured_channels_are_disabled_with_a_reason_in_chinese(app):
    html = signed_in(app, "director.unit").get(PAGE).get_data(as_text=True)
    assert 'id="ch_email" name="email" type="checkbox" value="1" disabled' in html
    assert 'id="ch_webhook" name="webhook" type="checkbox" value="1" disabled' in html
    assert "本系统尚未开通邮件发送服务，暂不可选" in html and "本系统尚未开通短信/微信发送服务，暂不可选" in html
    assert "SMTP" not in html and "WEBHOOK" not in html and "暂不能" not in html


def test_a_forged_gateway_choice_is_refused_without_setting_names(app):
    res = save(signed_in(app, "director.unit"), phone="13800000001", webhook="1")
    html = res.get_data(as_text=True)
    assert res.status_code == 422 and "本系统尚未开通短信/微信发送服务，暂不能选择该渠道" in html
    assert "WEBHOOK" not in html and 'value="1" disabled' in html


def test_configured_channels_can_be_chosen(gateway_app):
    html = signed_in(gateway_app, "director.unit").get(PAGE).get_data(as_text=True)
    assert 'value="1" disabled' not in html and "暂不可选" not in html


def test_email_refused_without_an_address_and_webhook_without_a_phone(gateway_app):
    client = signed_in(gateway_app, "director.unit")
    res = save(client, email="1")
    assert res.status_code == 422 and "请先填写电子邮箱" in res.get_data(as_text=True)
    res = save(client, email_address="zhang@example.cn", webhook="1")
    assert res.status_code == 422 and "请先填写手机号码" in res.get_data(as_text=True)
    res = save(client, email_address="不是邮箱")
    assert res.status_code == 422 and "电子邮箱格式不正确" in res.get_data(as_text=True)
    res = save(client, phone="12345")
    assert res.status_code == 422 and "手机号码应为 11 位数字" in res.get_data(as_text=True)
    assert stored(gateway_app, "director.unit")[1] is None


def test_saved_channels_deliver_the_next_notice(gateway_app):
    client = signed_in(gateway_app, "director.unit")
    res = save(client, email_address=" zhang@example.cn ", phone="13800000001", email="1", webhook="1")
    assert res.status_code == 302 and res.headers["Location"].endswith(PAGE)
    html = client.get(PAGE).get_data(as_text=True)
    assert "通知渠道设置已保存" in html
    assert 'id="ch_email" name="email" type="checkbox" value="1" checked' in html
    user, pref = stored(gateway_app, "director.unit")
    assert (user.email, user.phone, pref.email, pref.webhook) == ("zhang@example.cn", "13800000001", True, True)
    with gateway_app.app_context():
        note = add_notification(db.session, user.id, "reminder", "办理提醒")
        db.session.commit()
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.notification_id == note.id)).all()
        assert {(r.channel, r.recipient) for r in rows} == {(OutboxChannel.EMAIL, "zhang@example.cn"),
                                                            (OutboxChannel.WEBHOOK, "13800000001")}
    res = save(client, email_address="zhang@example.cn", phone="13800000001")  # back to in-app only
    assert res.status_code == 302
    _, pref = stored(gateway_app, "director.unit")
    assert (pref.email, pref.webhook) == (False, False)
