"""WeChat mini-program accounts bound to platform users (one openid per user, one user per openid)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class WechatBinding(Base):
    """The openid WeChat's code2session gave for this person's mini-program sign-in."""

    __tablename__ = "wechat_binding"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    # Which password the binding was made under: a password change (e.g. after a stolen one) voids it.
    password_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
