"""What every page module shares: the role-based navigation, Jinja filters, query-argument helpers."""
from __future__ import annotations

from datetime import date, timedelta, timezone

from flask import g, request

from services import notifications
from services.directory import all_division_names, point_summaries
from storage.models import (
    DOMAIN_LABELS, HAZARD_GRADE_LABELS, KIND_LABELS, RISK_LEVEL_LABELS, ROLE_LABELS, STATUS_LABELS, TIER_LABELS, Role,
    UnitTitles, unit_titles,
)
from web import env
from web.input_guards import MAX_PAGE, parse_id

from . import date_fields
from .redirects import same_origin_path
from .session_auth import current_user

CHINA = timezone(timedelta(hours=8))
OFFICERS = ("county_officer", "city_officer", "province_officer", "center_expert", "inspection_officer")

LABELS = {"status": STATUS_LABELS, "kind": KIND_LABELS, "domain": DOMAIN_LABELS, "tier": TIER_LABELS,
          "risk": RISK_LEVEL_LABELS, "hazard": HAZARD_GRADE_LABELS, "role": ROLE_LABELS}

# (label, path, roles that see the link); order is the order in the bar.
NAV = [
    ("报送信息", "/reports/new", ("reporter",)),
    ("我的报送", "/reports", ("reporter",)),
    ("本单位报送", "/reports", ("safety_director", "point_manager", "principal")),
    ("待办", "/tasks", ("safety_director",) + OFFICERS),
    ("督办", "/tasks/supervised", ("county_officer", "city_officer", "province_officer")),
    ("延期审批", "/tasks/extensions", ("city_officer", "province_officer")),
    ("报送信息库", "/reports", OFFICERS + ("admin",)),
    ("监测点", "/points", ("point_manager", "county_officer", "city_officer", "province_officer", "admin")),
    ("统计", "/stats", OFFICERS),
    ("案例", "/cases", OFFICERS),
    ("风险专题", "/topics", ("province_officer", "center_expert", "admin")),
    ("流程", "/processes", ("workflow_owner",)),
    ("账户管理", "/admin/users", ("admin", "county_officer", "city_officer")),
    ("系统管理", "/admin", ("admin",)),
]


def home_path(user) -> str:
    """Where a person lands after signing in: their inbox, console or reports."""
    if user.has_role("safety_director", *OFFICERS):
        return "/tasks"
    for role, path in (("admin", "/admin"), ("workflow_owner", "/processes"), ("point_manager", "/points")):
        if user.has_role(role):
            return path
    return "/reports"


def nav_links() -> list[dict]:
    """The navigation links the signed-in person's roles open, without duplicates."""
    user = current_user()
    if user is None:
        return []
    links, seen = [], set()
    for label, path, roles in NAV:
        if user.has_role(*roles) and path not in seen:
            seen.add(path)
            links.append({"label": label, "path": path, "current": _is_current(path)})
    return links


def _is_current(path: str) -> bool:
    here = request.path
    if path == "/tasks":
        return here == path or (here.startswith("/tasks/") and not here.startswith(("/tasks/supervised",
                                                                                  "/tasks/extensions")))
    if path == "/reports":
        return here == "/reports" or (here.startswith("/reports/") and here != "/reports/new")
    return here == path or here.startswith(path + "/")


def unread_notifications() -> int:
    """The bell's number."""
    user = current_user()
    return notifications.unread_count(env(), user) if user is not None else 0


def localtime(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC datetime as Beijing time; dates as they are."""
    if value is None:
        return ""
    if hasattr(value, "astimezone") and hasattr(value, "hour"):
        return value.astimezone(CHINA).strftime(fmt)
    return value.strftime("%Y-%m-%d")


def filesize(n: int) -> str:
    """Bytes in KB/MB for people."""
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{max(1, round(n / 1024))} KB"


def page_arg() -> int:
    """The `page` query argument (1 when missing, bad or past any possible page)."""
    page = parse_id(request.args.get("page"))
    return page if page is not None and page <= MAX_PAGE else 1


def date_arg(name: str) -> date | None:
    """An optional 年-月-日 query argument; a malformed one is not applied and its error is shown by the form."""
    return date_fields.date_arg(name)


def safe_next(default: str) -> str:
    """A same-site path to go back to after a form post."""
    return same_origin_path(request.form.get("next"), default)


def division_label(code: str | None) -> str:
    """“雁塔区” for 610113 (the code itself when unknown), loaded once per request."""
    if not code:
        return "—"
    if "division_names" not in g:
        g.division_names = all_division_names(env())
    return g.division_names.get(code, code)


def _point(point_id: int) -> tuple[str, object] | None:
    cache = g.setdefault("points", {})
    if point_id not in cache:
        cache[point_id] = point_summaries(env(), [point_id]).get(point_id)
    return cache[point_id]


def point_label(point_id: int | None) -> str:
    """A monitoring point's name, loaded once per request and point."""
    found = _point(point_id) if point_id else None
    return found[0] if found else ("—" if not point_id else f"监测点 {point_id}")


def unit_titles_of(point_id: int | None) -> UnitTitles:
    """The SAMR titles (质量安全总监 or 安全总监, …) of the unit a person or report belongs to."""
    found = _point(point_id) if point_id else None
    return unit_titles(found[1] if found else None)


def role_title(role, point_id: int | None = None) -> str:
    """A role's name for this person: a producer's or filler's safety director is its 质量安全总监."""
    if str(role) == Role.SAFETY_DIRECTOR.value and point_id:
        return unit_titles_of(point_id).director
    try:
        return ROLE_LABELS[Role(str(role))]
    except ValueError:
        return str(role)
