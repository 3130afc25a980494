"""The statistics map in Chromium: Shaanxi's city-level regions drawn with figures, a click filters the page."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

SERIES = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById('chart-map'));
  const series = chart.getOption().series[0];
  // echarts adds an empty item for every shape without data: keep what the page gave
  return {map: series.map, data: series.data.filter(d => d.value != null && !isNaN(d.value)).map(d => [d.name, d.value])};
}"""
# a point well inside 长安区/蓝田县 (西安市) in map pixels
PIXEL = "() => echarts.getInstanceByDom(document.getElementById('chart-map')).convertToPixel({seriesIndex: 0}, [109.1, 34.05])"


def _map_ready(page):
    page.wait_for_selector("#chart-map[data-ready='1']")
    assert page.locator("#chart-map canvas").count() >= 1
    return page.evaluate(SERIES)


def test_province_map_shows_cities_and_a_click_filters(open_session, api):
    api.submit("reporter.agency")  # 雁塔区 → 西安市
    api.submit("reporter.agency", title="起重机械限位失效", equipment_type_code="4110")
    session = open_session()
    session.login("province")
    page = session.goto("/stats?from=2000-01-01")
    series = _map_ready(page)
    assert series["map"] == "shaanxi-610000"
    figures = dict(series["data"])
    # the ten cities, 韩城 and 杨凌 by code, 西安 with the two reports
    assert {f"61{n:02d}00" for n in range(1, 11)} | {"610581", "619001"} <= set(figures)
    assert figures["610100"] == 2 and figures["610200"] == 0
    session.shot("stats-map-province")
    page.locator("#chart-map").scroll_into_view_if_needed()
    x, y = page.evaluate(PIXEL)
    box = page.locator("#chart-map").bounding_box()  # viewport coordinates, as the mouse uses
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert "division=610100" in page.url and "from=2000-01-01" in page.url
    assert page.locator("h1").inner_text().endswith("西安市")
    county_series = _map_ready(page)
    assert county_series["map"] == "shaanxi-610100"
    assert dict(county_series["data"])["610113"] == 2
    session.shot("stats-map-xian")


def test_county_officer_sees_only_their_county_on_the_map(open_session, api):
    api.submit("reporter.agency")
    session = open_session("phone")
    session.login("county.610112")
    page = session.goto("/stats")
    series = _map_ready(page)
    assert series["map"] == "shaanxi-610100"
    assert series["data"] == [["610112", 0]]  # 雁塔's report is not 未央's to see
