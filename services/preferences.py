"""Which channels besides in-app notices (always on) each person receives notices on."""
from __future__ import annotations

import re
from dataclasses import dataclass

from storage.database import begin_write
from storage.models import NotificationPreference, User, utcnow

from .context import Env
from .errors import Invalid
from .settings import Settings

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MOBILE = re.compile(r"^1\d{10}$")  # mainland mobile numbers: what an SMS gateway can reach


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
    check_channels(env.settings, user.email, user.phone, email, webhook)
    begin_write(env.session)
    _store(env, user, email, webhook)
    env.session.commit()
    return get_preferences(env, user)


def save_channels(env: Env, user: User, email_address: str, phone: str, email: bool, webhook: bool) -> Preferences:
    """The account page: update the person's e-mail address and mobile number and choose channels at once."""
    email_address, phone = email_address.strip() or None, phone.strip() or None
    if email_address and (len(email_address) > 128 or not EMAIL.match(email_address)):
        raise Invalid("电子邮箱格式不正确，例如 zhangsan@example.cn", details=[
            {"field": "email_address", "message": "邮箱格式不正确"}])
    if phone and not MOBILE.match(phone):
        raise Invalid("手机号码应为 11 位数字并以 1 开头", details=[{"field": "phone", "message": "手机号码格式不正确"}])
    check_channels(env.settings, email_address, phone, email, webhook)
    begin_write(env.session)
    user.email, user.phone = email_address, phone
    _store(env, user, email, webhook)
    env.session.commit()
    return get_preferences(env, user)


def check_channels(settings: Settings, email_address: str | None, phone: str | None, email: bool,
                   webhook: bool) -> None:
    """Refuse (422) a channel this installation cannot deliver or the person's contact details cannot reach."""
    if email and not settings.smtp_host:
        raise Invalid("本系统尚未开通邮件发送服务，暂不能选择电子邮件", details=[
            {"field": "email", "message": "未配置邮件服务器"}])
    if email and not email_address:
        raise Invalid("请先填写电子邮箱，电子邮件按该地址发送", details=[{"field": "email", "message": "未填写邮箱"}])
    if webhook and not settings.webhook_url:
        raise Invalid("本系统尚未开通短信/微信发送服务，暂不能选择该渠道", details=[
            {"field": "webhook", "message": "未配置网关"}])
    if webhook and not phone:
        raise Invalid("请先填写手机号码，短信/微信网关按手机号码发送", details=[
            {"field": "webhook", "message": "未填写手机号码"}])


def _store(env: Env, user: User, email: bool, webhook: bool) -> None:
    pref = env.session.get(NotificationPreference, user.id) or NotificationPreference(user_id=user.id)
    pref.email, pref.webhook, pref.updated_at = email, webhook, utcnow()
    env.session.add(pref)
