"""Account administration through the JSON API: scope, deactivation, audit, bulk import."""
import io

from openpyxl import Workbook
from sqlalchemy import select

from storage.models import InstanceEvent, MonitoringPoint, User

NEW_PASSWORD = "Officer#2026x"
CHOSEN = "Chosen#2026yz"


def _point(env, division):
    return env.session.scalar(select(MonitoringPoint).where(MonitoringPoint.division_code == division)
                              .order_by(MonitoringPoint.id))


def _reporter(point_id, division="610113", username="new.reporter", **extra):
    return {"username": username, "display_name": "新报送员", "password": NEW_PASSWORD, "role": "reporter",
            "division_code": division, "monitoring_point_id": point_id, "phone": "13800000001", **extra}


def _sign_in(api, username, password):
    res = api.client.post("/api/v1/auth/token", json={"username": username, "password": password})
    return res


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_admin_creates_a_county_officer_who_signs_in_and_completes_a_county_task(api):
    res = api.post("/admin/users", "admin", json={
        "username": "county.new", "display_name": "雁塔区新监管员", "password": NEW_PASSWORD,
        "role": "county_officer", "division_code": "610113", "phone": "029-88886666"})
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["roles"] == ["county_officer"] and res.get_json()["must_change_password"]
    token = _sign_in(api, "county.new", NEW_PASSWORD).get_json()["token"]
    changed = api.client.post("/api/v1/me/password", headers=_bearer(token),
                              json={"old_password": NEW_PASSWORD, "new_password": CHOSEN})
    assert changed.status_code == 200, changed.get_json()
    api.tokens["county.new"] = _sign_in(api, "county.new", CHOSEN).get_json()["token"]
    report = api.submit()
    api.complete("county.new", report["id"], "county_disposal", {
        "decision": "escalate", "measures": "现场核查", "risk_level": "major", "quality_score": 5})
    assert api.get(f"/reports/{report['id']}", "county.new").status_code == 200


def test_a_county_officer_manages_only_point_people_of_their_own_county(api, env):
    own, other = _point(env, "610113"), _point(env, "610112")
    res = api.post("/admin/users", "county.610113", json=_reporter(own.id))
    assert res.status_code == 201, res.get_json()
    res = api.post("/admin/users", "county.610113", json=_reporter(other.id, "610112", "foreign.reporter"))
    assert res.status_code == 403
    res = api.post("/admin/users", "county.610113", json={**_reporter(None, username="x.officer"),
                                                          "role": "county_officer"})
    assert res.status_code == 403
    listed = api.get("/admin/users?per_page=100", "county.610113").get_json()
    names = {u["username"] for u in listed["items"]}
    assert "new.reporter" in names and "reporter.unit" in names
    assert not names & {"county.610113", "admin", "reporter.filling", "city.610100"}
    officer_id = env.session.scalar(select(User.id).where(User.username == "county.610112"))
    assert api.call("PATCH", f"/admin/users/{officer_id}", "county.610113", json={"active": False}).status_code == 403
    filler = env.session.scalar(select(User.id).where(User.username == "reporter.filling"))
    assert api.call("PATCH", f"/admin/users/{filler}", "county.610113", json={"display_name": "改名"}).status_code == 403
    mine = env.session.scalar(select(User.id).where(User.username == "reporter.unit"))
    promote = api.call("PATCH", f"/admin/users/{mine}", "county.610113", json={"role": "county_officer"})
    assert promote.status_code == 403
    assert api.post("/admin/users", "reporter.unit", json=_reporter(own.id, username="y.r")).status_code == 403


def test_bad_fields_are_named_in_chinese(api, env):
    own = _point(env, "610113")
    assert api.post("/admin/users", "admin", json=_reporter(own.id, role="boss")).get_json()["error"]["details"][0]["field"] == "role"
    res = api.post("/admin/users", "admin", json=_reporter(own.id, division_code="999999"))
    assert res.status_code == 422 and "行政区划" in res.get_json()["error"]["message"]
    res = api.post("/admin/users", "admin", json=_reporter(987654))
    assert res.status_code == 422 and res.get_json()["error"]["details"][0]["field"] == "monitoring_point_id"
    res = api.post("/admin/users", "admin", json=_reporter(own.id, password="short"))
    assert res.status_code == 422
    res = api.post("/admin/users", "admin", json=_reporter(own.id, username="reporter.unit"))
    assert res.status_code == 409 and "已被使用" in res.get_json()["error"]["message"]


def test_deactivation_revokes_a_live_token_and_refuses_new_ones(api, env):
    target = env.session.scalar(select(User.id).where(User.username == "reporter.unit"))
    assert api.get("/me", "reporter.unit").status_code == 200
    res = api.call("PATCH", f"/admin/users/{target}", "county.610113", json={"active": False})
    assert res.status_code == 200 and res.get_json()["active"] is False
    assert api.get("/me", "reporter.unit").status_code == 401
    assert _sign_in(api, "reporter.unit", "Demo#2026").status_code == 401
    events = list(env.session.scalars(select(InstanceEvent).where(InstanceEvent.kind == "admin_user_deactivated")))
    assert events[-1].data["before"]["active"] is True and events[-1].data["after"]["active"] is False
    audit = api.get("/admin/audit?kind=admin_user_deactivated", "admin").get_json()
    assert audit["total"] == 1
    again = api.call("PATCH", f"/admin/users/{target}", "county.610113", json={"active": True})
    assert again.status_code == 200
    assert _sign_in(api, "reporter.unit", "Demo#2026").status_code == 200


def test_a_deactivated_page_session_ends(api, app, env):
    from pages_helpers import signed_in

    client = signed_in(app, "reporter.unit")
    assert client.get("/reports").status_code == 200
    target = env.session.scalar(select(User.id).where(User.username == "reporter.unit"))
    assert api.call("PATCH", f"/admin/users/{target}", "admin", json={"active": False}).status_code == 200
    assert client.get("/reports").status_code in (302, 401)


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["登录名", "姓名", "联系电话", "监测点编号", "初始密码"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(api, user, content, name="r.xlsx"):
    return api.post("/admin/users/import", user, data={"file": (io.BytesIO(content), name)},
                    content_type="multipart/form-data")


def test_import_reports_bad_rows_in_chinese_and_creates_none(api, env):
    own, other = _point(env, "610113"), _point(env, "610112")
    content = _xlsx([["imp.one", "导入一", "13800000002", own.id, NEW_PASSWORD],
                     ["imp.one", "重复名", "13800000003", own.id, NEW_PASSWORD],
                     ["imp.two", "导入二", "13800000004", other.id, NEW_PASSWORD],
                     ["imp.three", "导入三", "13800000005", "abc", NEW_PASSWORD]])
    res = _upload(api, "county.610113", content)
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["created"] == 0
    assert [e["row"] for e in body["errors"]] == [3, 4, 5]
    assert "已被使用" in body["errors"][0]["message"] and "本辖区" in body["errors"][1]["message"]
    assert "数字" in body["errors"][2]["message"]
    assert env.session.scalar(select(User.id).where(User.username == "imp.one")) is None


def test_import_creates_every_row_when_all_are_good(api, env):
    own = _point(env, "610113")
    res = _upload(api, "county.610113", _xlsx([["imp.a", "导入甲", "13800000006", own.id, NEW_PASSWORD],
                                               ["imp.b", "导入乙", None, own.id, NEW_PASSWORD]]))
    assert res.get_json() == {"created": 2, "errors": []}
    user = env.session.scalar(select(User).where(User.username == "imp.b"))
    assert user.roles == ["reporter"] and user.monitoring_point_id == own.id and user.must_change_password


def test_import_refuses_what_is_not_xlsx_or_too_long(api, monkeypatch):
    assert _upload(api, "admin", b"username,name\n", "r.csv").status_code == 422
    assert _upload(api, "admin", b"PK\x03\x04broken", "r.xlsx").status_code == 422
    from services import account_import

    monkeypatch.setattr(account_import, "MAX_ROWS", 2)
    res = _upload(api, "admin", _xlsx([["a.b.c", "甲乙", None, 1, NEW_PASSWORD]] * 3))
    assert res.status_code == 422 and "最多" in res.get_json()["error"]["message"]
    assert _upload(api, "reporter.unit", _xlsx([])).status_code == 403


def test_the_template_downloads_as_xlsx(api):
    res = api.get("/admin/users/import-template", "county.610113")
    assert res.status_code == 200 and res.data.startswith(b"PK")
    assert api.get("/admin/users/import-template", "reporter.unit").status_code == 403


def test_nobody_locks_themselves_out_or_moves_a_person_off_their_point(api, env):
    admin = env.session.scalar(select(User.id).where(User.username == "admin"))
    assert api.call("PATCH", f"/admin/users/{admin}", "admin", json={"active": False}).status_code == 403
    assert api.call("PATCH", f"/admin/users/{admin}", "admin", json={"role": "reporter"}).status_code == 403
    mine = env.session.scalar(select(User.id).where(User.username == "reporter.unit"))
    moved = api.call("PATCH", f"/admin/users/{mine}", "county.610113", json={"division_code": "610112"})
    assert moved.status_code == 422 and moved.get_json()["error"]["details"][0]["field"] == "division_code"
    assert api.get("/admin/users?role=boss", "admin").status_code == 422
    own = _point(env, "610113")
    mixed = api.post("/admin/users", "county.610113", json=_reporter(own.id, division="610112", username="mix.r"))
    assert mixed.status_code == 422


def test_names_with_control_characters_are_refused(api, env):
    """A display name travels into pages, the 处置单 PDF, XLSX exports and the 签发 DOCX (签发人：…), where a
    control character cannot be written: it is refused when the account is created or renamed."""
    own = _point(env, "610113")
    for name in ("省局\x0b签发人", "专家\x01乙", "换行\n名字"):
        res = api.post("/admin/users", "admin", json=_reporter(own.id, display_name=name))
        assert res.status_code == 422, (name, res.get_json())
        assert res.get_json()["error"]["details"][0]["field"] == "display_name"
    created = api.post("/admin/users", "admin", json=_reporter(own.id))
    assert created.status_code == 201
    res = api.call("PATCH", f"/admin/users/{created.get_json()['id']}", "admin", json={"display_name": "改\x0c名"})
    assert res.status_code == 422 and res.get_json()["error"]["details"][0]["field"] == "display_name"
