"""Demo monitoring points and officers across Shaanxi beyond 西安 (issue 16.2).

Every city-level node gets a city officer, an inspection officer and its inspection institution; a few
counties each get a county officer, the supervision agency's monitoring point and an enterprise point
with its reporter and safety director. 韩城 (a city-level node) has its points at its own code.
Usernames follow CONTRACT.md's pattern: `city.610300`, `county.610302`, `reporter.agency.610302` …
"""
from __future__ import annotations

from dataclasses import dataclass

from storage.models import MonitoringPoint, MonitoringPointKind, Role, SafetyDirectorAssignment, User, UserRole, utcnow


# city-level node → (county code, county name, enterprise name, enterprise kind, control level)
CONTROLLED, FILLING = MonitoringPointKind.CONTROLLED_USER_UNIT, MonitoringPointKind.PRODUCTION_FILLING_UNIT
SITES: dict[str, tuple[str, list[tuple[str, str, str, MonitoringPointKind, int | None]]]] = {
    "610200": ("铜川市", [("610202", "王益区", "铜川王益某商贸广场物业管理有限公司", CONTROLLED, 2),
                       ("610204", "耀州区", "铜川耀州某水泥有限公司", CONTROLLED, 1)]),
    "610300": ("宝鸡市", [("610302", "渭滨区", "宝鸡渭滨某钛材制造有限公司", CONTROLLED, 1),
                       ("610303", "金台区", "宝鸡金台某工业气体充装有限公司", FILLING, None)]),
    "610400": ("咸阳市", [("610402", "秦都区", "咸阳秦都某医院后勤服务中心", CONTROLLED, 2),
                       ("610481", "兴平市", "兴平某化工有限责任公司", CONTROLLED, 1)]),
    "610500": ("渭南市", [("610502", "临渭区", "渭南临渭某液化石油气充装站", FILLING, None),
                       ("610528", "富平县", "富平某热电有限公司", CONTROLLED, 1)]),
    "610600": ("延安市", [("610602", "宝塔区", "延安宝塔某旅游景区索道有限公司", CONTROLLED, 1),
                       ("610603", "安塞区", "延安安塞某油气集输有限公司", CONTROLLED, 1)]),
    "610700": ("汉中市", [("610702", "汉台区", "汉中汉台某购物中心管理有限公司", CONTROLLED, 2),
                       ("610724", "西乡县", "西乡某茶叶加工有限公司", CONTROLLED, 2)]),
    "610800": ("榆林市", [("610802", "榆阳区", "榆林榆阳某煤化工有限公司", CONTROLLED, 1),
                       ("610881", "神木市", "神木某天然气充装站", FILLING, None)]),
    "610900": ("安康市", [("610902", "汉滨区", "安康汉滨某游乐园管理有限公司", CONTROLLED, 1),
                       ("610981", "旬阳市", "旬阳某建材有限公司", CONTROLLED, 2)]),
    "611000": ("商洛市", [("611002", "商州区", "商洛商州某食品有限公司", CONTROLLED, 2),
                       ("611021", "洛南县", "洛南某钼业有限公司", CONTROLLED, 1)]),
    "610581": ("韩城市", [("610581", "韩城市", "韩城某钢铁有限责任公司", CONTROLLED, 1)]),
    "619001": ("杨凌示范区", [("610403", "杨陵区", "杨凌某生物制药有限公司", CONTROLLED, 2)]),
}


@dataclass(frozen=True)
class Site:
    """One county (or 韩城 itself) with its demo points and the usernames that report from them."""

    city_code: str
    county_code: str
    agency_reporter: str
    unit_reporter: str
    inspect_reporter: str


def _user(session, password_hash: str, username: str, name: str, role: Role, division: str,
          point: MonitoringPoint | None = None) -> User:
    now = utcnow()
    user = User(username=username, display_name=name, password_hash=password_hash, division_code=division,
                monitoring_point_id=point.id if point else None, created_at=now, password_changed_at=now)
    user.role_rows = [UserRole(role=role)]
    session.add(user)
    return user


def _point(session, name: str, kind: MonitoringPointKind, division: str, responsible: str,
           control_level: int | None = None) -> MonitoringPoint:
    now = utcnow()
    point = MonitoringPoint(name=name, kind=kind, division_code=division, control_level=control_level,
                            responsible_person=responsible, confirmed=True, confirmed_at=now, created_at=now)
    session.add(point)
    session.flush()
    return point


def _city_people(session, password_hash: str, code: str, city: str) -> str:
    _user(session, password_hash, f"city.{code}", f"{city}局监管员", Role.CITY_OFFICER, code)
    institution = _point(session, f"{city}特种设备检验检测所", MonitoringPointKind.INSPECTION_INSTITUTION, code, "检验员")
    _user(session, password_hash, f"inspect.{code}", f"{city}检验机构工程师", Role.INSPECTION_OFFICER, code, institution)
    _user(session, password_hash, f"reporter.inspect.{code}", f"{city}检验机构信息报送员", Role.REPORTER, code,
          institution)
    return f"reporter.inspect.{code}"


def _county_people(session, password_hash: str, city_code: str, county: tuple, inspect_reporter: str) -> Site:
    code, name, unit_name, kind, level = county
    if code != city_code:  # 韩城 is its own city-level office: no county officer
        _user(session, password_hash, f"county.{code}", f"{name}局监管员", Role.COUNTY_OFFICER, code)
    agency = _point(session, f"{name}市场监督管理局特种设备安全监察科", MonitoringPointKind.SUPERVISION_AGENCY, code,
                    "监察科负责人")
    _user(session, password_hash, f"reporter.agency.{code}", f"{name}局信息报送员", Role.REPORTER, code, agency)
    unit = _point(session, unit_name, kind, code, "设备科负责人", level)
    _user(session, password_hash, f"reporter.unit.{code}", f"{unit_name[:6]}信息报送员", Role.REPORTER, code, unit)
    director = _user(session, password_hash, f"director.unit.{code}", f"{unit_name[:6]}安全总监",
                     Role.SAFETY_DIRECTOR, code, unit)
    session.flush()
    session.add(SafetyDirectorAssignment(monitoring_point_id=unit.id, user_id=director.id, assigned_at=utcnow()))
    return Site(city_code, code, f"reporter.agency.{code}", f"reporter.unit.{code}", inspect_reporter)


def seed_province_people(session, password_hash: str) -> list[Site]:
    """Add the province-wide points and officers (flushes), all with the demo accounts' password hash."""
    sites = []
    for city_code, (city, counties) in SITES.items():
        inspect_reporter = _city_people(session, password_hash, city_code, city)
        sites += [_county_people(session, password_hash, city_code, county, inspect_reporter) for county in counties]
    session.flush()
    return sites
