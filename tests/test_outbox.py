"""The notification outbox: real SMTP and HTTP receivers, signatures, retries, dead letters, receipts."""
from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from services.receipts import director_receipts
from services.outbox import DeliveryPolicy, claim_due, deliver_outbox, list_dead_letters, requeue_dead_letter
from storage.models import OutboxChannel, OutboxMessage, OutboxStatus, User, utcnow
from web import create_app
from web.extensions import db

SECRET = "webhook-测试-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailSink:
    """aiosmtpd handler keeping every message it accepted."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.original_content or envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, sink
    controller.stop()


class Hook:
    """A local webhook receiver; `status` is what it answers."""

    def __init__(self):
        self.status = 200
        self.requests: list[tuple[dict, bytes]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(hook.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)


@pytest.fixture
def webhook_server():
    hook = Hook()
    hook.thread.start()
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


@pytest.fixture
def channel_app(settings, smtp_server, webhook_server):
    controller, _ = smtp_server
    app = create_app(replace(settings, smtp_host="127.0.0.1", smtp_port=controller.port,
                             smtp_sender="riskmon@example.cn", webhook_url=webhook_server.url,
                             webhook_secret=SECRET))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def channel_env(channel_app):
    from web import env as make_env

    with channel_app.app_context():
        yield make_env()
        db.session.remove()


@pytest.fixture
def channel_api(channel_app):
    from conftest import Api

    return Api(channel_app.test_client())


def opt_in(api, env, username, email=True, webhook=True):
    user = env.session.scalar(select(User).where(User.username == username))
    user.email, user.phone = f"{username}@example.cn", "13800000000"
    env.session.commit()
    res = api.call("PUT", "/me/preferences", username, json={"email": email, "webhook": webhook})
    assert res.status_code == 200, res.get_json()
    return user


def submit_unit_report(api, title="锅炉安全阀校验过期"):
    return api.submit("reporter.unit", title=title, content="现场发现锅炉安全阀超期未校验。")


def rows(env, **where):
    env.session.rollback()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(OutboxMessage, key) == value)
    return list(env.session.scalars(stmt.execution_options(populate_existing=True)))


def test_email_in_chinese_and_signed_webhook_are_delivered_once(channel_api, channel_env, smtp_server,
                                                                webhook_server):
    _, sink = smtp_server
    opt_in(channel_api, channel_env, "director.unit")
    report = submit_unit_report(channel_api)
    queued = rows(channel_env)
    assert {r.channel for r in queued} == {OutboxChannel.EMAIL, OutboxChannel.WEBHOOK}
    assert all(r.status == OutboxStatus.PENDING and r.notification_id for r in queued)

    assert deliver_outbox(channel_env) == 2
    assert deliver_outbox(channel_env) == 0
    assert {r.status for r in rows(channel_env)} == {OutboxStatus.SENT}

    [(rcpt, raw)] = sink.messages
    mail = message_from_bytes(raw, policy=email_policy.default)
    assert rcpt == ["director.unit@example.cn"]
    assert mail["Subject"] == f"安全总监：本单位有新的报送信息需安排处置：{report['tracking_no']}"
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n")[0].lower()  # RFC 2047 encoded header, not raw bytes
    part = mail.get_body(("plain",))
    assert part.get_content_charset() == "utf-8" and "锅炉安全阀校验过期" in part.get_content()

    [(headers, body)] = webhook_server.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-riskmon-signature"], expected)
    payload = json.loads(body.decode("utf-8"))
    webhook_row = rows(channel_env, channel=OutboxChannel.WEBHOOK)[0]
    assert headers["idempotency-key"] == payload["idempotency_key"] == webhook_row.idempotency_key
    assert payload["title"].startswith("安全总监：本单位有新的报送信息") and payload["recipient_address"] == "13800000000"


def test_failing_channel_retries_then_dead_letters_without_blocking_others(
        channel_api, channel_env, smtp_server, webhook_server):
    _, sink = smtp_server
    webhook_server.status = 500
    opt_in(channel_api, channel_env, "director.unit")
    submit_unit_report(channel_api)
    policy = DeliveryPolicy(max_attempts=3, backoff_base_seconds=10)
    t0 = utcnow()
    assert deliver_outbox(channel_env, t0, policy) == 1  # the e-mail; the webhook failed
    [hook_row] = rows(channel_env, channel=OutboxChannel.WEBHOOK)
    assert hook_row.status == OutboxStatus.PENDING and hook_row.attempts == 1
    assert hook_row.next_attempt_at == t0 + timedelta(seconds=10) and "HTTP 500" in hook_row.last_error
    assert deliver_outbox(channel_env, t0 + timedelta(seconds=5), policy) == 0  # backing off
    assert len(webhook_server.requests) == 1

    submit_unit_report(channel_api, title="第二条信息")  # a new notice is not held up by the failing one
    assert deliver_outbox(channel_env, t0 + timedelta(seconds=11), policy) == 1
    assert len(sink.messages) == 2
    assert deliver_outbox(channel_env, t0 + timedelta(seconds=40), policy) == 0
    dead = rows(channel_env, status=OutboxStatus.DEAD)
    assert [(r.id, r.attempts) for r in dead] == [(hook_row.id, 3)]
    assert [r.id for r in list_dead_letters(channel_env)] == [hook_row.id]
    keys = {h["idempotency-key"] for h, _ in webhook_server.requests if "第二条" not in _.decode()}
    assert keys == {hook_row.idempotency_key}  # every retry carried the same key

    listing = channel_api.get("/outbox/dead-letters", "admin").get_json()
    assert [i["id"] for i in listing["items"]] == [hook_row.id]
    assert listing["items"][0]["status_label"] == "发送失败（死信）"
    assert channel_api.get("/outbox/dead-letters", "county.610113").status_code == 403

    webhook_server.status = 200
    admin = channel_env.session.scalar(select(User).where(User.username == "admin"))
    requeue_dead_letter(channel_env, admin, hook_row.id)
    assert deliver_outbox(channel_env, t0 + timedelta(seconds=41), policy) >= 1
    assert rows(channel_env, id=hook_row.id)[0].status == OutboxStatus.SENT


def test_claims_are_exclusive_and_expired_leases_are_reclaimed(channel_api, channel_env):
    opt_in(channel_api, channel_env, "director.unit", webhook=False)
    submit_unit_report(channel_api)
    now = utcnow()
    policy = DeliveryPolicy(lease_seconds=60)
    first = claim_due(channel_env, now, "scheduler-a", policy)
    assert len(first) == 1
    assert claim_due(channel_env, now, "scheduler-b", policy) == []
    # scheduler-a died while sending: after the lease another scheduler takes the row over
    assert claim_due(channel_env, now + timedelta(seconds=61), "scheduler-b", policy) == first
    [row] = rows(channel_env)
    assert row.claimed_by == "scheduler-b" and row.attempts == 2


def test_preferences_api_refuses_channels_that_cannot_work(api, env):
    res = api.get("/me/preferences", "director.unit")
    assert res.status_code == 200
    assert res.get_json()["in_app"] is True and res.get_json()["email"] is False
    res = api.call("PUT", "/me/preferences", "director.unit", json={"email": True, "webhook": False})
    assert res.status_code == 422 and "尚未开通邮件发送服务" in res.get_json()["error"]["message"]
    res = api.call("PUT", "/me/preferences", "director.unit", json={"email": "maybe"})
    assert res.status_code == 422
    res = api.call("PUT", "/me/preferences", "director.unit", json={"email": False, "webhook": False})
    assert res.status_code == 200


def test_director_notice_receipts_opened_and_acknowledged(api, env):
    report = api.submit("reporter.unit")
    notes = api.get("/me/notifications", "director.unit").get_json()
    [note] = [n for n in notes["items"] if n["report_id"] == report["id"]]
    assert note["read_at"] is None
    [receipt] = director_receipts(env, report["id"])
    assert receipt.opened_at is None and receipt.acknowledged_at is None

    res = api.post(f"/me/notifications/{note['id']}/read", "director.unit")
    assert res.status_code == 200 and res.get_json()["read_at"]
    assert api.post(f"/me/notifications/{note['id']}/read", "county.610113").status_code == 404
    api.complete("director.unit", report["id"], "director_acknowledge", {
        "handling_arrangement": "立即停用并安排校验", "responsible_person": "陈志强",
        "handling_deadline": "2026-12-05"})
    env.session.rollback()
    [receipt] = director_receipts(env, report["id"])
    assert receipt.opened_at is not None and receipt.acknowledged_at is not None
    assert receipt.acknowledged_by_id == receipt.user_id
    res = api.get(f"/reports/{report['id']}/director-receipts", "county.610113")
    assert res.status_code == 200 and res.get_json()["items"][0]["status_label"] == "已确认"
    assert api.get(f"/reports/{report['id']}/director-receipts", "county.610112").status_code == 403
