"""Unit boundaries in the monitoring-point API: who may be a unit's safety director, who sees which points."""
from __future__ import annotations

import pytest

from web.extensions import db


def _me(api, user):
    return api.get("/me", user).get_json()


def test_a_director_of_another_company_is_refused(api):
    filling_point = _me(api, "director.filling")["monitoring_point_id"]
    stranger = _me(api, "director.unit")  # the 综合体 in 610113, another company in another county
    for actor in ("admin", "county.610112"):
        res = api.post(f"/monitoring-points/{filling_point}/safety-directors", actor, json={"user_id": stranger["id"]})
        assert res.status_code == 422, res.get_json()
        assert "本单位" in res.get_json()["error"]["message"]
    point = api.get(f"/monitoring-points/{filling_point}", "admin").get_json()
    assert stranger["id"] not in [d["id"] for d in point["safety_directors"]]


def test_a_director_created_for_the_unit_is_accepted(app, api):
    from services.demo import create_user

    filling_point = _me(api, "director.filling")["monitoring_point_id"]
    with app.app_context():
        new_id = create_user(db.session, "director2.filling", "充装站副安全总监", ["safety_director"], "610112",
                             filling_point).id
        db.session.commit()
    res = api.post(f"/monitoring-points/{filling_point}/safety-directors", "county.610112", json={"user_id": new_id})
    assert res.status_code == 201, res.get_json()
    assert new_id in [d["id"] for d in res.get_json()["safety_directors"]]


@pytest.mark.parametrize("user", ["reporter.unit", "director.unit", "manager.unit", "reporter.agency", "center"])
def test_unit_people_list_only_their_own_point(api, user):
    own = _me(api, user)["monitoring_point_id"]
    listed = api.get("/monitoring-points?per_page=100", user).get_json()
    assert [p["id"] for p in listed["items"]] == ([own] if own else [])
    assert listed["total"] == (1 if own else 0)


def test_unit_people_cannot_open_another_point(api):
    agency = _me(api, "reporter.agency")["monitoring_point_id"]
    for user in ("director.unit", "manager.unit", "reporter.unit"):
        assert api.get(f"/monitoring-points/{agency}", user).status_code == 404


def test_supervisors_still_list_their_jurisdiction(api):
    county = api.get("/monitoring-points?per_page=100", "county.610113").get_json()
    assert county["total"] >= 2
    assert {p["division_code"] for p in county["items"]} == {"610113"}
    assert api.get("/monitoring-points?per_page=100", "province").get_json()["total"] > county["total"]
