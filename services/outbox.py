"""Delivering the notification outbox: e-mail over SMTP and a signed webhook, with retries.

Rows are written by `storage.repositories.add_notification` in the transaction of the step that caused
the notice. Here each due row is claimed with a conditional UPDATE (pending and due → sending, with
this process's owner token), so two schedulers never deliver the same row; a row left in `sending` by
a scheduler that died is claimed again once its lease has expired. The receiver sees the same
idempotency key on every attempt and can drop a repeat (at-least-once delivery).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import smtplib
import socket
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import urlsplit

from sqlalchemy import and_, or_, select, update

from storage.database import begin_write
from storage.models import OutboxChannel, OutboxMessage, OutboxStatus, User, utcnow

from .context import Env
from .errors import Conflict, Forbidden, NotFound
from .settings import Settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600
LEASE_SECONDS = 300
SEND_TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-Riskmon-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class DeliveryPolicy:
    """Retry rules; tests shorten them."""

    max_attempts: int = MAX_ATTEMPTS
    backoff_base_seconds: float = BACKOFF_BASE_SECONDS
    backoff_max_seconds: float = BACKOFF_MAX_SECONDS
    lease_seconds: float = LEASE_SECONDS
    batch: int = 200
    in_flight: int = 16
    tick_seconds: float = 4.0

    def backoff(self, attempts: int) -> timedelta:
        """Exponential: base, 2·base, 4·base … capped."""
        return timedelta(seconds=min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** (attempts - 1)))


class DeliveryFailed(Exception):
    """A channel refused or could not be reached; the message is stored as the row's last error."""


_owners: dict[int, str] = {}


def owner_token() -> str:
    """This process's claim token: host, pid and a random part (a forked child gets its own)."""
    pid = os.getpid()
    if pid not in _owners:
        _owners[pid] = f"{socket.gethostname()}:{pid}:{uuid.uuid4().hex[:8]}"
    return _owners[pid]


# -- claiming ---------------------------------------------------------------------------------------
def _claimable(now: datetime, policy: DeliveryPolicy):
    expired = now - timedelta(seconds=policy.lease_seconds)
    return or_(and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
               and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < expired))


def due_ids(env: Env, now: datetime, policy: DeliveryPolicy = DeliveryPolicy()) -> list[int]:
    """Rows that may be claimed now, oldest due first (a read; claiming decides)."""
    ids = list(env.session.scalars(select(OutboxMessage.id).where(_claimable(now, policy))
                                   .order_by(OutboxMessage.next_attempt_at).limit(policy.batch)))
    env.session.rollback()
    return ids


def claim(env: Env, message_id: int, now: datetime, owner: str, policy: DeliveryPolicy = DeliveryPolicy()) -> bool:
    """Conditional UPDATE pending-and-due (or lease-expired) → sending for `owner`; False if someone else won."""
    begin_write(env.session)
    result = env.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id, _claimable(now, policy))
        .values(status=OutboxStatus.SENDING, claimed_by=owner, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False))
    env.session.commit()
    return result.rowcount == 1


def claim_due(env: Env, now: datetime, owner: str, policy: DeliveryPolicy = DeliveryPolicy()) -> list[int]:
    """Claim every due row for `owner` (delivery claims one row at a time, right before sending it)."""
    return [i for i in due_ids(env, now, policy) if claim(env, i, now, owner, policy)]


# -- delivering -------------------------------------------------------------------------------------
def deliver_outbox(env: Env, now: datetime | None = None, policy: DeliveryPolicy = DeliveryPolicy(),
                   owner: str | None = None) -> int:
    """One scheduler tick: claim due rows a batch at a time until none is left, sending each batch with
    several deliveries in flight; a failing row never blocks the others. Returns how many were sent.

    A row is claimed (conditional UPDATE … RETURNING) before it is sent and marked sent only while this
    owner still holds it, so each row is marked exactly once. A row that failed in this tick is not
    claimed again in the same tick. The tick stops after `policy.tick_seconds` so that the next one
    starts with a fresh view; the batch's lease (`lease_seconds`) is far longer than a batch can take.
    """
    owner = owner or owner_token()
    deadline = time.monotonic() + policy.tick_seconds
    sent, failed = 0, set()
    with ThreadPoolExecutor(max_workers=policy.in_flight, thread_name_prefix="outbox") as pool:
        while True:
            claimed_at = now or utcnow()
            batch = _claim_batch(env, claimed_at, owner, policy, failed)
            if not batch:
                break
            outcomes = list(pool.map(lambda m: _send(env.settings, m), batch))
            sent += _record_success(env, [m for m, e in zip(batch, outcomes) if e is None], owner)
            for message, error in zip(batch, outcomes):
                if error is not None:
                    failed.add(message.id)
                    _record_failure(env, message, owner, claimed_at, policy, error)
            if time.monotonic() >= deadline:
                break
    return sent


def _claim_batch(env: Env, now: datetime, owner: str, policy: DeliveryPolicy, skip: set[int]) -> list[OutboxMessage]:
    """Claim up to one batch of due rows for `owner`; returns the claimed rows, detached and loaded."""
    begin_write(env.session)
    due = select(OutboxMessage.id).where(_claimable(now, policy))
    if skip:
        due = due.where(OutboxMessage.id.not_in(skip))
    ids = list(env.session.scalars(due.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(policy.batch)))
    if not ids:
        env.session.rollback()
        return []
    won = list(env.session.scalars(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids), _claimable(now, policy))
        .values(status=OutboxStatus.SENDING, claimed_by=owner, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id).execution_options(synchronize_session=False)))
    env.session.commit()
    if not won:
        return []
    messages = list(env.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(won))
                                        .order_by(OutboxMessage.id).execution_options(populate_existing=True)))
    for message in messages:
        env.session.expunge(message)  # keep its loaded values while no transaction is open
    env.session.rollback()
    return messages


def _send(settings: Settings, message: OutboxMessage) -> Exception | None:
    """Deliver one message (in a worker thread: no database access here); the error, if any."""
    try:
        SENDERS[message.channel](settings, message)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row and retried
        log.debug("outbox %s send failed", message.id, exc_info=True)
        return DeliveryFailed(str(exc))  # only the text travels back: no frames or sockets kept alive
    return None


def _record_success(env: Env, messages: list[OutboxMessage], owner: str) -> int:
    if not messages:
        return 0
    begin_write(env.session)
    result = env.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_([m.id for m in messages]), OutboxMessage.claimed_by == owner,
                                    OutboxMessage.status == OutboxStatus.SENDING)
        .values(status=OutboxStatus.SENT, sent_at=utcnow(), last_error=None)
        .execution_options(synchronize_session=False))
    env.session.commit()
    return result.rowcount


def _record_failure(env: Env, message: OutboxMessage, owner: str, now: datetime, policy: DeliveryPolicy,
                    exc: Exception) -> None:
    attempts = message.attempts
    dead = attempts >= policy.max_attempts
    error = f"第 {attempts} 次发送失败：{exc}"[:2000]
    log.warning("outbox %s (%s) attempt %s failed: %s", message.id, message.channel.value, attempts, exc)
    begin_write(env.session)
    env.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == owner,
                                    OutboxMessage.status == OutboxStatus.SENDING)
        .values(status=OutboxStatus.DEAD if dead else OutboxStatus.PENDING, last_error=error,
                next_attempt_at=now + policy.backoff(attempts), claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False))
    env.session.commit()


def send_email(settings: Settings, message: OutboxMessage) -> None:
    """Plain-text UTF-8 e-mail; the Chinese subject is RFC 2047-encoded by EmailMessage."""
    if not settings.smtp_host:
        raise DeliveryFailed("系统未配置邮件服务器（SMTP_HOST）")
    mail = EmailMessage()
    # One line: a task name may carry the owner's line break, and a header with CR/LF is refused by
    # EmailMessage (no header injection, but every e-mail of that task would fail until dead-lettered).
    mail["Subject"] = " ".join(message.subject.split())
    mail["From"] = formataddr(("陕西省特种设备风险监测平台", settings.smtp_sender))
    mail["To"] = message.recipient
    mail["Message-ID"] = make_msgid(idstring=message.idempotency_key, domain="riskmon")
    mail["X-Riskmon-Idempotency-Key"] = message.idempotency_key
    link = (message.payload or {}).get("link")
    mail.set_content(message.body + (f"\n\n详情：{link}" if link else ""), charset="utf-8")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SEND_TIMEOUT_SECONDS) as smtp:
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"邮件发送失败：{exc}") from exc


def sign(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the body>` — the receiver recomputes it with the shared secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def send_webhook(settings: Settings, message: OutboxMessage) -> None:
    """POST the notice as JSON, signed with HMAC-SHA256, carrying the idempotency key."""
    url = settings.webhook_url
    if not url:
        raise DeliveryFailed("系统未配置短信/微信网关（WEBHOOK_URL）")
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS):
        raise DeliveryFailed("网关地址必须使用 HTTPS（仅本机地址允许 HTTP）")
    body = json.dumps({**(message.payload or {}), "channel": "webhook", "recipient_address": message.recipient},
                      ensure_ascii=False, sort_keys=True).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(settings.webhook_secret, body),
        IDEMPOTENCY_HEADER: message.idempotency_key, "User-Agent": "riskmon-outbox/1"})
    try:
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read(1024)
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the response's socket
        raise DeliveryFailed(f"网关返回 HTTP {exc.code}") from None
    except (OSError, urllib.error.URLError) as exc:
        raise DeliveryFailed(f"无法连接网关：{exc}") from exc


def _in_app(settings: Settings, message: OutboxMessage) -> None:
    """In-app notices are the notification rows themselves; nothing to send."""


SENDERS = {OutboxChannel.EMAIL: send_email, OutboxChannel.WEBHOOK: send_webhook, OutboxChannel.IN_APP: _in_app}


# -- dead letters (admins) -------------------------------------------------------------------------
def list_dead_letters(env: Env, limit: int = 100) -> list[OutboxMessage]:
    """Rows that gave up after the last attempt, newest first (for the admin console)."""
    stmt = (select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.DEAD)
            .order_by(OutboxMessage.id.desc()).limit(limit))
    return list(env.session.scalars(stmt))


def requeue_dead_letter(env: Env, user: User, message_id: int) -> OutboxMessage:
    """Admin: try a dead row again from scratch (for example after fixing the SMTP settings)."""
    if not user.has_role("admin"):
        raise Forbidden("只有系统管理员可以重发失败的通知")
    begin_write(env.session)
    message = env.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("该通知投递记录不存在")
    if message.status != OutboxStatus.DEAD:
        raise Conflict("只有发送失败（死信）的通知可以重发")
    message.status, message.attempts, message.next_attempt_at = OutboxStatus.PENDING, 0, utcnow()
    message.claimed_by = message.claimed_at = None
    env.session.commit()
    return message
