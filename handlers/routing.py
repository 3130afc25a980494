"""Where a report enters the chain and which office works each candidate group's tasks."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage.models import Report, Tier
from storage.people_cache import division as cached_division

PROVINCE_CODE = "610000"
COUNTY_GROUPS = frozenset({"county_officer"})
CITY_GROUPS = frozenset({"city_officer", "inspection_officer"})
PROVINCE_GROUPS = frozenset({"province_officer", "center_expert"})
UNIT_GROUPS = frozenset({"safety_director"})
REPORTER_GROUP = "reporter"  # a task for the report's own reporter (e.g. 补充材料), never for colleagues
GROUP_TIERS = {"county_officer": Tier.COUNTY, "city_officer": Tier.CITY, "inspection_officer": Tier.CITY,
               "province_officer": Tier.PROVINCE, "center_expert": Tier.PROVINCE,
               "safety_director": Tier.UNIT}


@dataclass(frozen=True)
class Routing:
    """The offices a report's tasks go to."""

    entry_tier: Tier
    county_code: str | None
    city_code: str | None


def resolve_routing(session: Session, division_code: str) -> Routing:
    """Entry tier and county/city from the monitoring point's division (韩城 etc. act as cities)."""
    division = cached_division(session, division_code)
    if division is None or division.level == "province":
        return Routing(Tier.PROVINCE, None, None)
    if division.level == "city":
        return Routing(Tier.CITY, None, division.code)
    return Routing(Tier.COUNTY, division.code, division.supervising_code)


@dataclass(frozen=True)
class Assignment:
    """Who may work a task: a candidate group in a division, or at a monitoring point."""

    candidate_group: str
    division_code: str | None
    monitoring_point_id: int | None = None


def assign(candidate_group: str, report: Report) -> Assignment:
    """Jurisdiction of a task; a county task of a report with no county goes to the city, then province.
    A `reporter` task goes to the report's monitoring point (the engine names the reporter as assignee)."""
    if candidate_group in UNIT_GROUPS or candidate_group == REPORTER_GROUP:
        return Assignment(candidate_group, None, report.monitoring_point_id)
    if candidate_group in COUNTY_GROUPS:
        if report.county_code:
            return Assignment(candidate_group, report.county_code)
        candidate_group = "city_officer"
    if candidate_group in CITY_GROUPS:
        if report.city_code:
            return Assignment(candidate_group, report.city_code)
        return Assignment("province_officer", PROVINCE_CODE)
    return Assignment(candidate_group, PROVINCE_CODE)


def office_name(session: Session, code: str | None) -> str:
    """“雁塔区市场监管局”: the market-regulation office of a division (the province's has its full name)."""
    division = cached_division(session, code) if code else None
    if division is None:
        return "监管部门"
    return "陕西省市场监督管理局" if division.code == PROVINCE_CODE else f"{division.name}市场监管局"


def tier_office_code(report: Report, tier: Tier | None) -> str | None:
    """The division whose office works a report at a tier."""
    if tier == Tier.COUNTY:
        return report.county_code or report.city_code
    if tier == Tier.CITY:
        return report.city_code
    if tier == Tier.PROVINCE:
        return PROVINCE_CODE
    return None
