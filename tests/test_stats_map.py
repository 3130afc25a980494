"""The statistics map's data: shapes by code, regions by GB/T 2260 code, figures scoped like the page."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from pages_helpers import signed_in
from services import stats, stats_map
from storage.models import User

CITIES = {f"61{n:02d}00" for n in range(1, 11)}


def _view(env, username, division=None):
    person = env.session.scalar(select(User).where(User.username == username))
    f = stats.build_filter(env.session, person, division=division)
    return stats_map.map_view(env.session, f, stats.drilldown(env.session, f))


def _regions(view):
    return {r["code"]: r for r in view["regions"]}


def _page_map(client, query=""):
    html = client.get(f"/stats{query}").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="stats-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(block)["map"]


def test_province_map_has_every_city_level_node_with_figures(env, api):
    api.submit("reporter.agency")  # 雁塔区 → 西安市
    view = _view(env, "province")
    regions = _regions(view)
    assert view["shape"] == "610000"
    assert CITIES | {"610581", "619001", "619100"} == set(regions)
    assert regions["610100"]["total"] == 1 and regions["610300"]["total"] == 0
    assert all(r["link"] and r["in_scope"] for r in regions.values())
    assert regions["619001"]["label"] == "杨凌示范区"


def test_city_map_draws_neighbours_it_does_not_supervise_without_figures(env):
    regions = _regions(_view(env, "province", "610400"))
    assert regions["610402"]["in_scope"] and regions["610402"]["link"]
    # 杨陵区 lies in 咸阳 but 杨凌示范区 supervises it: drawn grey, not counted, not a link
    assert not regions["610403"]["in_scope"] and not regions["610403"]["link"]
    weinan = _regions(_view(env, "province", "610500"))
    assert not weinan["610581"]["in_scope"]  # 韩城 is a city-level node of its own
    assert _view(env, "province", "619001")["shape"] == "619001"
    assert _regions(_view(env, "province", "619001"))["610403"]["in_scope"]
    assert _view(env, "province", "610581")["shape"] == "610581"
    assert _view(env, "province", "619100")["shape"] is None  # 西咸新区 has no boundary data
    assert _view(env, "province", "619101")["shape"] is None


def test_county_officer_map_is_their_county_on_their_city(env, app, api):
    api.submit("reporter.agency")  # 雁塔区, not 未央区
    view = _page_map(signed_in(app, "county.610112"))
    assert view["shape"] == "610100"
    assert [(r["code"], r["total"], r["link"]) for r in view["regions"]] == [("610112", 0, False)]


def test_city_officer_map_never_carries_other_cities(app, api):
    api.submit("reporter.agency")
    view = _page_map(signed_in(app, "city.610100"))
    assert view["shape"] == "610100"
    codes = {r["code"] for r in view["regions"]}
    assert "610113" in codes and not codes & (CITIES - {"610100"})
    assert {r["code"]: r["total"] for r in view["regions"]}["610113"] == 1


def test_map_follows_the_filter_checks(app):
    county = signed_in(app, "county.610112")
    assert county.get("/stats?division=610113").status_code == 403  # another county
    assert county.get("/stats?division=610000").status_code == 403
    province = signed_in(app, "province")
    assert province.get("/stats?division=999999").status_code in (400, 404, 422)
    assert province.get("/stats?division=%3Cscript%3E").status_code in (400, 404, 422)


def test_map_api_is_scoped_like_the_rest_of_stats(api):
    api.submit("reporter.agency")
    body = api.get("/stats/map?division=610100", "province").get_json()
    assert body["shape"] == "610100" and body["filters"]["division"] == "610100"
    assert {r["code"]: r["total"] for r in body["regions"]}["610113"] == 1
    county = api.get("/stats/map", "county.610112").get_json()
    assert [r["code"] for r in county["regions"]] == ["610112"]
    assert api.get("/stats/map").status_code == 401
    assert api.get("/stats/map", "reporter.agency").status_code == 403
    assert api.get("/stats/map?division=610113", "county.610112").status_code == 403
    assert api.get("/stats/map?division=610300", "city.610100").status_code == 403
    for bad in ("999999", "x" * 5000, "6101%00", "../610000"):
        res = api.get(f"/stats/map?division={bad}", "province")
        assert res.status_code in (400, 422) and res.get_json()["error"]["message"], bad
    assert api.get("/stats/map?from=2026-13-01", "province").status_code == 422
