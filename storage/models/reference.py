"""Reference data: administrative divisions and the special-equipment catalogue."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Division(Base):
    """A GB/T 2260 division or a supervision region (韩城, 杨凌, 西咸新区 and its new towns).

    `level` is the tier it plays in the disposal chain (province / city / county), which is not
    always its administrative rank: 韩城 is a county-level city handled as a city-level node.
    `supervising_code` is the city-level node that supervises a county-level node.
    """

    __tablename__ = "division"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    parent_code: Mapped[str | None] = mapped_column(String(6))
    supervising_code: Mapped[str | None] = mapped_column(String(6), index=True)
    note: Mapped[str | None] = mapped_column(String(500))


class EquipmentType(Base):
    """One row of the 2014 special-equipment catalogue: category, class or variety."""

    __tablename__ = "equipment_type"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("equipment_type.code"))
    level: Mapped[str] = mapped_column(String(24))

    @property
    def category_code(self) -> str:
        """The top-level category (种类) this row belongs to."""
        return self.code[0] + "000"
