"""Settings an admin changes at run time (系统设置), one row per changed setting.

A setting without a row has its default. The definitions live here, beside the table, because the
handlers that read them (register_report) sit below services/ and import only storage.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class SystemSetting(Base):
    """The current value of one setting and who set it last (the history is in the audit log)."""

    __tablename__ = "system_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class SettingDefinition:
    """One admin-changeable setting: its key, Chinese name and explanation, allowed values and default."""

    key: str
    label: str
    description: str
    choices: tuple[tuple[str, str], ...]  # (value, Chinese label)
    default: str

    def label_of(self, value: str) -> str:
        """The Chinese label of a value (the value itself when it is not one of the choices)."""
        return dict(self.choices).get(value, value)

    def allows(self, value: object) -> bool:
        """Whether `value` is one of the choices (exact string)."""
        return isinstance(value, str) and value in dict(self.choices)


AGENCY_ENTRY = SettingDefinition(
    key="agency_entry",
    label="监管部门报送员的报送进入层级",
    description="特种设备安全监察机构（监管部门）监测点的信息报送员报送的信息，在本级进入处置，"
                "还是进入上一级（县级监测点进入市级、市级监测点进入省级）。由决策表 entry_routing 按流程变量 "
                "agency_entry 判断；意见建议和涉及行政监管的信息不受此项影响。",
    choices=(("same", "本级"), ("above", "上一级")),
    default="same",
)
SETTING_DEFINITIONS = {d.key: d for d in (AGENCY_ENTRY,)}
