"""The statistics map: which shapes to draw for a focus division and each region's figures.

Shapes are built by `make assets` (scripts/build_shaanxi_map.mjs) into one GeoJSON per map, named by
code: 610000 (the city-level nodes), one per city (its counties), 610581 韩城 and 619001 杨凌. Regions
are matched to divisions by GB/T 2260 code; the figures are the drill-down's, so they carry the same
jurisdiction scope and date filter as the rest of the page.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from storage.models import Division

from .stats import StatsFilter, covers

PROVINCE_CODE = "610000"
# Maps the asset build writes: the province, its ten cities and the two city-level nodes with a territory.
# labels on the map where the full name would cover its neighbours
SHORT_NAMES = {"619001": "杨凌示范区", "619100": "西咸新区"}
SHAPES = frozenset({PROVINCE_CODE, *(f"61{n:02d}00" for n in range(1, 11)), "610581", "619001"})


def shape_code(focus: Division) -> str | None:
    """The map a focus is drawn on: the province's, its own city's, or its supervising city's; None without shapes."""
    if focus.level == "province":
        return PROVINCE_CODE
    code = focus.code if focus.level == "city" else focus.supervising_code
    return code if code in SHAPES else None


def _regions(session, focus: Division) -> list[Division]:
    if focus.level == "province":
        stmt = select(Division).where(Division.level == "city")
    elif focus.level == "city":
        # its own counties, and those that lie in it but another node supervises (韩城, 杨陵区): drawn, not counted
        stmt = select(Division).where(or_(Division.supervising_code == focus.code,
                                          Division.code == focus.code, Division.parent_code == focus.code))
    else:
        stmt = select(Division).where(Division.code == focus.code)
    return list(session.scalars(stmt.order_by(Division.code)))


def map_view(session, f: StatsFilter, drilldown: dict) -> dict:
    """Per-region figures for the focus's map; `link` marks regions the caller may filter by."""
    figures = {item["code"]: item for item in drilldown["items"]}
    focus = f.focus
    regions = []
    for division in _regions(session, focus):
        item = figures.get(division.code, {})
        in_scope = covers(focus, division)
        regions.append({"code": division.code, "name": division.name, "in_scope": in_scope,
                        "label": SHORT_NAMES.get(division.code, division.name),
                        "link": in_scope and division.code != focus.code and covers(f.scope, division),
                        "total": item.get("total", 0),
                        "major": item.get("major", 0), "overdue": item.get("overdue", 0),
                        "closed": item.get("closed", 0)})
    return {"shape": shape_code(focus), "focus": focus.code, "regions": regions}
