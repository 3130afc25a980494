"""西咸新区's reporting line is a setting: straight to the province (default) or through 西安市."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from services.demo import create_user, seed_demo
from services.settings import Settings, SettingsError
from storage.models import Division, MonitoringPoint, MonitoringPointKind, Report, Role, utcnow
from web import create_app
from web import env as make_env
from web.extensions import db
from conftest import Api

FENGDONG, XIXIAN, XIAN = "619101", "619100", "610100"


def test_the_setting_comes_from_the_environment():
    assert Settings.from_env({}).xixian_reporting_line == "province"
    assert Settings.from_env({"XIXIAN_REPORTING_LINE": "xian"}).xixian_reporting_line == "xian"
    with pytest.raises(SettingsError, match="XIXIAN_REPORTING_LINE"):
        Settings.from_env({"XIXIAN_REPORTING_LINE": "beijing"})


def _app_with(settings, line: str):
    """The app with the setting, after loading reference data as `riskmon seed-demo`/`init-db` do."""
    app = create_app(replace(settings, xixian_reporting_line=line))
    with app.app_context():
        seed_demo(make_env(), with_reports=False)
        for code, username in ((FENGDONG, "reporter.fengdong"), (XIXIAN, "reporter.xixian")):
            point = MonitoringPoint(name=f"{code}监管所", kind=MonitoringPointKind.SUPERVISION_AGENCY,
                                    division_code=code, confirmed=True, confirmed_at=utcnow(), created_at=utcnow())
            db.session.add(point)
            db.session.flush()
            create_user(db.session, username, "报送员", [Role.REPORTER], code, point.id)
        db.session.commit()
    return app


def _routing(app, report_id):
    with app.app_context():
        report = db.session.get(Report, report_id)
        return report.county_code, report.city_code


@pytest.mark.parametrize("line,town_city,xixian_routing", [
    ("province", XIXIAN, (None, XIXIAN)),
    ("xian", XIAN, (XIXIAN, XIAN)),
])
def test_routing_follows_the_setting(settings, line, town_city, xixian_routing):
    app = _app_with(settings, line)
    with app.app_context():
        town = db.session.get(Division, FENGDONG)
        assert town.supervising_code == town_city
        assert db.session.get(Division, XIXIAN).level == ("county" if line == "xian" else "city")
    api = Api(app.test_client())
    town_report = api.submit("reporter.fengdong")
    assert _routing(app, town_report["id"]) == (FENGDONG, town_city)
    own_report = api.submit("reporter.xixian")
    assert _routing(app, own_report["id"]) == xixian_routing
    xian_sees = api.get(f"/reports/{town_report['id']}", "city.610100").status_code
    assert xian_sees == (200 if line == "xian" else 403)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_switching_back_restores_the_province_line(settings):
    _app_with(settings, "xian")
    app = create_app(settings)
    with app.app_context():
        seed_demo(make_env(), with_reports=False)
        towns = db.session.scalars(select(Division.supervising_code).where(Division.parent_code == XIXIAN)).all()
        assert set(towns) == {XIXIAN} and len(towns) == 5
        assert db.session.get(Division, XIXIAN).supervising_code is None
        db.session.remove()
        db.engine.dispose()
