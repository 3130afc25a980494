"""WeChat mini-program sign-in: exchange a `wx.login` code for an openid, bind it, sign in with it."""
from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage.models import User, WechatBinding, utcnow

from .context import Env
from .errors import Conflict, Locked, ServiceError, Unauthorized
from .settings import Settings

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5
MAX_RESPONSE_BYTES = 64 * 1024
# errcodes of code2session that mean "this code is no good", as opposed to "WeChat is unavailable".
BAD_CODE_ERRCODES = {40029, 40163, 40226}


class NotConfigured(ServiceError):
    code, status = "wechat_not_configured", 501


class WechatUnavailable(ServiceError):
    code, status = "wechat_unavailable", 502


class NotBound(ServiceError):
    code, status = "wechat_not_bound", 401


def configured(settings: Settings) -> bool:
    """True when the mini-program's AppID and secret are set."""
    return bool(settings.wechat_appid and settings.wechat_secret)


def _require_configured(settings: Settings) -> None:
    if not configured(settings):
        raise NotConfigured("本平台未配置微信小程序（WECHAT_APPID、WECHAT_SECRET），暂不支持微信登录，"
                            "请使用用户名和密码登录")


def _fetch(url: str) -> dict:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (base from settings)
            raw = response.read(MAX_RESPONSE_BYTES + 1)
    except (urllib.error.URLError, OSError) as exc:
        log.warning("code2session failed: %s", exc)
        raise WechatUnavailable("暂时无法连接微信服务器，请稍后重试或使用用户名和密码登录") from None
    try:
        data = json.loads(raw[:MAX_RESPONSE_BYTES])
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise WechatUnavailable("微信服务器的应答无法识别，请稍后重试")
    return data


def exchange_code(settings: Settings, code: str) -> str:
    """The openid WeChat's code2session gives for a `wx.login` code (the session key is not kept)."""
    _require_configured(settings)
    query = urllib.parse.urlencode({"appid": settings.wechat_appid, "secret": settings.wechat_secret,
                                    "js_code": code, "grant_type": "authorization_code"})
    data = _fetch(settings.wechat_api_base.rstrip("/") + "/sns/jscode2session?" + query)
    errcode = data.get("errcode") or 0
    if errcode in BAD_CODE_ERRCODES:
        raise Unauthorized("微信登录凭证无效或已使用，请重新进入小程序后再试")
    openid = data.get("openid")
    if errcode or not isinstance(openid, str) or not 0 < len(openid) <= 64:
        log.warning("code2session errcode %s: %s", errcode, data.get("errmsg"))
        raise WechatUnavailable(f"微信登录暂时不可用（错误码 {errcode}），请使用用户名和密码登录")
    return openid


def _usable(user: User) -> User:
    if not user.active:
        raise Unauthorized("该账号已停用，不能登录，请联系管理员")
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        raise Locked(f"连续登录失败次数过多，账户已锁定，请 {minutes} 分钟后再试")
    return user


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()


def sign_in_with_code(env: Env, code: str) -> User:
    """The active account bound to the WeChat user behind this code, bound under its current password."""
    openid = exchange_code(env.settings, code)
    binding = env.session.scalar(select(WechatBinding).where(WechatBinding.openid == openid))
    if binding is None:
        raise NotBound("该微信尚未绑定平台账号：请先用用户名和密码登录，再在“我的”页面绑定微信")
    user = _usable(env.session.get(User, binding.user_id))
    if binding.password_fingerprint != _fingerprint(user):
        raise NotBound("账号密码已修改，微信绑定已失效：请用新密码登录后重新绑定微信")
    return user


def bind_wechat(env: Env, user: User, code: str) -> WechatBinding:
    """Bind the caller's account to the WeChat user behind this code (replacing an earlier binding)."""
    openid = exchange_code(env.settings, code)
    taken = env.session.scalar(select(WechatBinding).where(WechatBinding.openid == openid))
    if taken is not None and taken.user_id != user.id:
        raise Conflict("该微信已绑定其他平台账号，请先在那个账号中解除绑定")
    binding = taken or env.session.scalar(select(WechatBinding).where(WechatBinding.user_id == user.id))
    if binding is None:
        binding = WechatBinding(user_id=user.id, openid=openid)
        env.session.add(binding)
    binding.openid, binding.created_at, binding.password_fingerprint = openid, utcnow(), _fingerprint(user)
    try:
        env.session.commit()
    except IntegrityError:  # a concurrent binding of the same openid or account won the race
        env.session.rollback()
        raise Conflict("该微信或账号刚刚完成了另一次绑定，请刷新后重试") from None
    return binding


def binding_for(env: Env, user: User) -> WechatBinding | None:
    """The caller's binding, if any."""
    return env.session.scalar(select(WechatBinding).where(WechatBinding.user_id == user.id))


def unbind_wechat(env: Env, user: User) -> bool:
    """Remove the caller's binding; True when there was one."""
    binding = binding_for(env, user)
    if binding is not None:
        env.session.delete(binding)
    env.session.commit()
    return binding is not None


def subscribe_templates(settings: Settings) -> dict[str, str]:
    """Subscribe-message template ids the mini-program may ask for, by purpose (unset ones left out)."""
    ids = {"task": settings.wechat_template_task, "outcome": settings.wechat_template_outcome}
    return {purpose: tid for purpose, tid in ids.items() if tid}
