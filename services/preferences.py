"""Which channels besides in-app notices (always on) each person receives notices on."""
from __future__ import annotations

from dataclasses import dataclass

from storage.database import begin_write
from storage.models import NotificationPreference, User, utcnow

from .context import Env
from .errors import Invalid


@dataclass
class Preferences:
    """Channels besides in-app (always on) and whether this installation can deliver them."""

    email: bool
    webhook: bool
    email_available: bool
    webhook_available: bool


def get_preferences(env: Env, user: User) -> Preferences:
    """The person's channel choices."""
    pref = env.session.get(NotificationPreference, user.id)
    return Preferences(bool(pref and pref.email), bool(pref and pref.webhook),
                       bool(env.settings.smtp_host), bool(env.settings.webhook_url))


def set_preferences(env: Env, user: User, email: bool, webhook: bool) -> Preferences:
    """Choose channels; a channel this installation or the profile cannot serve is refused (422)."""
    if email and not env.settings.smtp_host:
        raise Invalid("系统未配置邮件服务器（SMTP_HOST），暂不能选择电子邮件", details=[
            {"field": "email", "message": "未配置邮件服务器"}])
    if email and not user.email:
        raise Invalid("请先在个人资料中填写电子邮箱", details=[{"field": "email", "message": "未填写邮箱"}])
    if webhook and not env.settings.webhook_url:
        raise Invalid("系统未配置短信/微信网关（WEBHOOK_URL），暂不能选择该渠道", details=[
            {"field": "webhook", "message": "未配置网关"}])
    begin_write(env.session)
    pref = env.session.get(NotificationPreference, user.id) or NotificationPreference(user_id=user.id)
    pref.email, pref.webhook, pref.updated_at = email, webhook, utcnow()
    env.session.add(pref)
    env.session.commit()
    return get_preferences(env, user)
