"""Loading the divisions and the equipment catalogue shipped in storage/data/."""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from storage.models import Division, EquipmentType

DATA_DIR = Path(__file__).resolve().parent.parent / "storage" / "data"
# 杨陵区 is administered by the 杨凌示范区 (a province-managed zone) rather than by 咸阳市.
SUPERVISION_OVERRIDES = {"610403": "619001"}
CITY_LEVEL_NODES = {"610581"}  # 韩城市: separately listed city, a city-level node in the chain
XIXIAN_CODE, XIAN_CODE = "619100", "610100"


def _rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_divisions(session, xixian_line: str = "province") -> int:
    """Insert or update every division and supervision region; returns how many rows."""
    existing = {d.code: d for d in session.scalars(select(Division))}
    count = 0
    for row in _rows("shaanxi_divisions.csv"):
        level = "city" if row["code"] in CITY_LEVEL_NODES else row["level"]
        supervising = None if level != "county" else SUPERVISION_OVERRIDES.get(row["code"], row["parent_code"])
        _upsert(session, existing, code=row["code"], name=row["name"], level=level, kind=row["level"],
                parent_code=row["parent_code"] or None, supervising_code=supervising, note=None)
        count += 1
    for row in _rows("shaanxi_supervision_regions.csv"):
        if row["code"] in existing or row["code"] in CITY_LEVEL_NODES:
            division = existing.get(row["code"]) or session.get(Division, row["code"])
            division.kind, division.note = row["kind"], row["note"]
            continue
        level = "county" if row["kind"] == "new_town" else "city"
        _upsert(session, existing, code=row["code"], name=row["name"], level=level, kind=row["kind"],
                parent_code=row["parent_code"] or None,
                supervising_code=row["parent_code"] if level == "county" else None, note=row["note"])
        count += 1
    session.flush()
    apply_xixian_line(session, xixian_line)
    session.flush()
    return count


def apply_xixian_line(session, line: str) -> None:
    """Set who supervises 西咸新区 and its five 新城 (Settings.xixian_reporting_line; see the README).

    The city of a county is its `supervising_code`: routing, jurisdiction and statistics all read it.
    "province": the 新城 report to 西咸新区, a city-level node reporting to the province.
    "xian": the 新城 report to 西安市, and 西咸新区's own office works as a county-level node under 西安市."""
    xixian = session.get(Division, XIXIAN_CODE)
    if xixian is None:
        return
    via_xian = line == "xian"
    xixian.level = "county" if via_xian else "city"
    xixian.supervising_code = XIAN_CODE if via_xian else None
    for town in session.scalars(select(Division).where(Division.parent_code == XIXIAN_CODE)):
        town.supervising_code = XIAN_CODE if via_xian else XIXIAN_CODE


def _upsert(session, existing: dict, **values) -> None:
    row = existing.get(values["code"])
    if row is None:
        row = Division(**values)
        session.add(row)
        existing[row.code] = row
    else:
        for key, value in values.items():
            setattr(row, key, value)


def load_equipment_types(session) -> int:
    """Insert or update the 2014 catalogue (parents first)."""
    existing = {e.code: e for e in session.scalars(select(EquipmentType))}
    rows = _rows("equipment_types.csv")
    order = {"category": 0, "component_category": 0, "class": 1, "variety": 2}
    for row in sorted(rows, key=lambda r: order.get(r["level"], 3)):
        values = dict(code=row["code"], name=row["name"], parent_code=row["parent_code"] or None, level=row["level"])
        if row["code"] in existing:
            for key, value in values.items():
                setattr(existing[row["code"]], key, value)
        else:
            session.add(EquipmentType(**values))
        session.flush()
    return len(rows)


def load_reference_data(session, xixian_line: str = "province") -> tuple[int, int]:
    """Divisions and catalogue, idempotent; `xixian_line` is Settings.xixian_reporting_line."""
    return load_divisions(session, xixian_line), load_equipment_types(session)
