"""The notification outbox (e-mail, webhook), channel preferences, and scheduler heartbeats."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, StrEnum, enum_column_type, utcnow


class OutboxChannel(StrEnum):
    """How a notice reaches a person. In-app notices are the `notification` rows themselves."""

    IN_APP = "in_app"
    EMAIL = "email"
    WEBHOOK = "webhook"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"


CHANNEL_LABELS = {OutboxChannel.IN_APP: "站内消息", OutboxChannel.EMAIL: "电子邮件",
                  OutboxChannel.WEBHOOK: "短信/微信网关"}
OUTBOX_STATUS_LABELS = {OutboxStatus.PENDING: "待发送", OutboxStatus.SENDING: "发送中",
                        OutboxStatus.SENT: "已发送", OutboxStatus.DEAD: "发送失败（死信）"}


class OutboxMessage(Base):
    """One delivery of one notice over one channel, written in the transaction that caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="SET NULL"),
                                                        index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    channel: Mapped[OutboxChannel] = mapped_column(enum_column_type(OutboxChannel))
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict | None]
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(enum_column_type(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """The channels a person chose besides in-app notices (which are always on)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=False)
    webhook: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchedulerHeartbeat(Base):
    """The last sign of life of one scheduler process; `/healthz` reads the newest."""

    __tablename__ = "scheduler_heartbeat"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    host: Mapped[str] = mapped_column(String(128))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
