"""One frozen settings object, built from the environment once at start-up."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


XIXIAN_LINES = ("province", "xian")


class SettingsError(ValueError):
    """A setting in the environment is missing or malformed."""


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"环境变量 {name} 必须是整数，当前为 {raw!r}") from exc


def _bool(env: dict, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"环境变量 {name} 必须是 true/false，当前为 {raw!r}")


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its environment."""

    database_url: str = "sqlite:///" + str(PROJECT_ROOT / "instance" / "riskmon.db")
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    token_max_age_seconds: int = 8 * 3600
    session_idle_minutes: int = 30
    password_max_age_days: int = 90
    secure_cookies: bool = False
    upload_dir: str = str(PROJECT_ROOT / "instance" / "uploads")
    max_upload_bytes: int = 10 * 1024 * 1024
    max_bpmn_bytes: int = 2 * 1024 * 1024
    process_dir: str = str(PROJECT_ROOT / "processes")
    run_scheduler: bool = False
    scheduler_poll_seconds: int = 5
    four_eyes_publish: bool = False
    reminder_lead_hours: int = 24
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "riskmon@localhost"
    webhook_url: str = ""
    webhook_secret: str = ""
    testing: bool = False
    # WeChat mini-program sign-in (code2session) and subscribe-message template ids.
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_template_task: str = ""
    wechat_template_outcome: str = ""
    # 西咸新区's reporting line: "province" (its 新城 report to 西咸新区, which reports to the province like a
    # city) or "xian" (西安市 is the city tier of its 新城 and of 西咸新区 itself, which it administers since 2017).
    xixian_reporting_line: str = "province"

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        """Build settings from environment variables, failing with a message naming the bad one."""
        env = dict(os.environ if env is None else env)
        base = cls()
        secret = env.get("SECRET_KEY") or _instance_secret()
        settings = replace(
            base,
            database_url=env.get("DATABASE_URL") or base.database_url,
            secret_key=secret,
            token_max_age_seconds=_int(env, "TOKEN_MAX_AGE_SECONDS", base.token_max_age_seconds),
            session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", base.session_idle_minutes),
            password_max_age_days=_int(env, "PASSWORD_MAX_AGE_DAYS", base.password_max_age_days),
            secure_cookies=_bool(env, "SECURE_COOKIES", base.secure_cookies),
            upload_dir=env.get("UPLOAD_DIR") or base.upload_dir,
            max_upload_bytes=_int(env, "MAX_UPLOAD_BYTES", base.max_upload_bytes),
            run_scheduler=_bool(env, "RUN_SCHEDULER", base.run_scheduler),
            scheduler_poll_seconds=_int(env, "SCHEDULER_POLL_SECONDS", base.scheduler_poll_seconds),
            four_eyes_publish=_bool(env, "FOUR_EYES_PUBLISH", base.four_eyes_publish),
            reminder_lead_hours=_int(env, "REMINDER_LEAD_HOURS", base.reminder_lead_hours),
            smtp_host=env.get("SMTP_HOST", ""),
            smtp_port=_int(env, "SMTP_PORT", base.smtp_port),
            smtp_sender=env.get("SMTP_SENDER") or base.smtp_sender,
            webhook_url=env.get("WEBHOOK_URL", ""),
            webhook_secret=env.get("WEBHOOK_SECRET", ""),
            wechat_appid=env.get("WECHAT_APPID", ""),
            wechat_secret=env.get("WECHAT_SECRET", ""),
            wechat_api_base=env.get("WECHAT_API_BASE") or base.wechat_api_base,
            wechat_template_task=env.get("WECHAT_TEMPLATE_TASK", ""),
            wechat_template_outcome=env.get("WECHAT_TEMPLATE_OUTCOME", ""),
            xixian_reporting_line=env.get("XIXIAN_REPORTING_LINE") or base.xixian_reporting_line,
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        """Reject combinations that cannot work."""
        if not self.database_url.startswith(("sqlite", "postgresql")):
            raise SettingsError(f"DATABASE_URL 仅支持 sqlite 或 postgresql，当前为 {self.database_url!r}")
        if self.scheduler_poll_seconds < 1:
            raise SettingsError("SCHEDULER_POLL_SECONDS 必须大于等于 1")
        if self.password_max_age_days < 0:
            raise SettingsError("PASSWORD_MAX_AGE_DAYS 必须大于等于 0（0 表示不过期）")
        if self.webhook_url and not self.webhook_secret:
            raise SettingsError("设置了 WEBHOOK_URL 时必须同时设置 WEBHOOK_SECRET")
        if bool(self.wechat_appid) != bool(self.wechat_secret):
            raise SettingsError("WECHAT_APPID 与 WECHAT_SECRET 必须同时设置")
        if self.xixian_reporting_line not in XIXIAN_LINES:
            raise SettingsError(f"XIXIAN_REPORTING_LINE 只能是 province（直报省局）或 xian（经西安市），"
                                f"当前为 {self.xixian_reporting_line!r}")
        if not self.wechat_api_base.startswith(("https://", "http://")):
            raise SettingsError(f"WECHAT_API_BASE 必须是 http(s) 地址，当前为 {self.wechat_api_base!r}")

    @property
    def database_url_sqlalchemy(self) -> str:
        """The URL with the psycopg 3 driver named for PostgreSQL."""
        url = self.database_url
        if url.startswith("postgresql://"):
            return "postgresql+psycopg://" + url[len("postgresql://"):]
        return url


def _instance_secret() -> str:
    """A per-installation secret kept under instance/, so sessions survive restarts."""
    path = PROJECT_ROOT / "instance" / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    return key
