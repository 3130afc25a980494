"""Reporter pages: submit form, tracking number, my reports, report page, attachments (page and API)."""
from __future__ import annotations

import io
import re


from sqlalchemy import select

from storage.models import ReportView
from web.extensions import db
from pages_helpers import PDF, PNG, signed_in, token


def submit(client, **overrides):
    data = {"kind": "risk_hazard", "domain": "use", "eq_category": "3000", "eq_class": "3100", "eq_variety": "3110",
            "title": "电梯层门门锁回路被短接", "content": "现场发现层门门锁回路被短接。",
            "csrf_token": token(client, "/reports/new")}
    data.update(overrides)
    return client.post("/reports/new", data=data, content_type="multipart/form-data")


def test_submit_page_renders_labelled_fields_and_notices(app):
    html = signed_in(app, "reporter.unit").get("/reports/new").get_data(as_text=True)
    for field, label in (("kind", "报送类型"), ("domain", "涉及环节"), ("title", "标题"), ("content", "内容"),
                         ("attachments", "附件"), ("eq_category", "种类"), ("eq_class", "类别"),
                         ("eq_variety", "品种")):
        assert f'<label for="{field}">{label}</label>' in html
    assert "<legend>特种设备目录</legend>" in html
    for option in ("问题", "风险隐患", "意见建议", "行政监管", "安全管理", "生产", "使用", "维护保养", "检验检测"):
        assert f">{option}</option>" in html
    assert ">提交</button>" in html
    assert "突发事件" in html and "12345" in html
    assert "20000" in html and "10 MB" in html
    # the catalogue's component rows come after the eight 种类, never among another 种类's rows
    assert html.index(">场（厂）内专用机动车辆<") < html.index(">压力管道元件<") < html.index(">安全附件<")
    assert 'value="7310" data-parent="F000"' in html
    assert 'data-parent="3100"' in html


def test_only_reporters_open_the_submit_page(app):
    assert signed_in(app, "county.610113").get("/reports/new").status_code == 403


def test_submit_shows_tracking_number_and_lists_it(app):
    client = signed_in(app, "reporter.unit")
    res = submit(client)
    assert res.status_code == 302
    page = client.get(res.headers["Location"]).get_data(as_text=True)
    tracking = re.search(r"SX-\d{4}-\d{6}", page).group(0)
    assert "报送成功" in page and "跟踪编号" in page
    assert "仅用于帮扶指导解决问题，不作为行政处罚或其他行政约束的依据" in page
    assert "电梯 / 曳引与强制驱动电梯 / 曳引驱动乘客电梯" in page
    listing = client.get("/reports").get_data(as_text=True)
    assert tracking in listing and "处置中" in listing


def test_submit_validation_errors_keep_the_input(app):
    client = signed_in(app, "reporter.unit")
    res = submit(client, content="   ")
    assert res.status_code == 422
    html = res.get_data(as_text=True)
    assert "内容不能为空" in html and 'value="电梯层门门锁回路被短接"' in html
    res = submit(client, eq_category="7999", eq_class="", eq_variety="")
    assert res.status_code == 422 and "不在特种设备目录中" in res.get_data(as_text=True)
    res = submit(client, content="长" * 20_001)
    assert res.status_code == 422 and "20000" in res.get_data(as_text=True)


def test_submit_with_attachments_and_type_sniffing(small_app):
    client = signed_in(small_app, "reporter.unit")
    res = submit(client, attachments=[(io.BytesIO(PNG), "现场.png"), (io.BytesIO(PDF), "记录.pdf")])
    assert res.status_code == 302
    page = client.get(res.headers["Location"]).get_data(as_text=True)
    assert "现场.png" in page and "记录.pdf" in page and 'alt="附件图片：现场.png"' in page
    link = re.search(r'href="(/reports/\d+/attachments/\d+)"', page).group(1)
    with client.get(link) as res:
        assert res.status_code == 200 and res.data == PNG and res.headers["Content-Type"] == "image/png"
    res = submit(client, attachments=[(io.BytesIO(b"MZ\x90\x00 not an image"), "照片.jpg")])
    assert res.status_code == 422 and "类型不支持" in res.get_data(as_text=True)
    big = b"\xff\xd8\xff" + b"\x00" * 64 * 1024
    res = submit(client, attachments=[(io.BytesIO(big), "大.jpg")])
    assert res.status_code == 413 and "不能超过 64 KB" in res.get_data(as_text=True)


def test_report_page_is_scoped_and_every_view_logged(app, api):
    report = api.submit("reporter.unit")
    owner = signed_in(app, "reporter.unit")
    assert owner.get(f"/reports/{report['id']}").status_code == 200
    assert owner.get(f"/reports/{report['id']}").status_code == 200
    with app.app_context():
        views = db.session.scalars(select(ReportView).where(ReportView.report_id == report["id"])).all()
        assert len(views) == 2 and {v.channel for v in views} == {"web"}
        db.session.remove()
    assert signed_in(app, "reporter.agency").get(f"/reports/{report['id']}").status_code == 403
    assert signed_in(app, "county.610112").get(f"/reports/{report['id']}").status_code == 403
    assert signed_in(app, "director.unit").get(f"/reports/{report['id']}").status_code == 200
    assert signed_in(app, "reporter.agency").get(f"/reports/{report['id']}/diagram.xml").status_code == 403


def test_diagram_xml_for_the_report(app, api):
    report = api.submit("reporter.agency")
    res = signed_in(app, "county.610113").get(f"/reports/{report['id']}/diagram.xml")
    assert res.status_code == 200 and b"risk_disposal" in res.data
    assert res.headers["X-Current-Elements"] == "county_disposal"


def test_attachment_api_upload_list_download(small_app):
    from conftest import Api

    api = Api(small_app.test_client())
    report = api.submit("reporter.agency")
    rid = report["id"]
    res = api.post(f"/reports/{rid}/attachments", "reporter.agency",
                   data={"file": (io.BytesIO(PDF), "检查记录.pdf")}, content_type="multipart/form-data")
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["content_type"] == "application/pdf" and body["filename"] == "检查记录.pdf"
    listing = api.get(f"/reports/{rid}/attachments", "county.610113").get_json()
    assert listing["total"] == 1
    with api.get(body["url"][len("/api/v1"):], "county.610113") as res:
        assert res.status_code == 200 and res.data == PDF
    assert api.get(body["url"][len("/api/v1"):], "county.610112").status_code == 403
    res = api.post(f"/reports/{rid}/attachments", "reporter.agency",
                   data={"file": (io.BytesIO(b"<svg onload=alert(1)>"), "x.png")}, content_type="multipart/form-data")
    assert res.status_code == 422 and "类型不支持" in res.get_json()["error"]["message"]
    big = b"%PDF-" + b"0" * 64 * 1024
    res = api.post(f"/reports/{rid}/attachments", "reporter.agency",
                   data={"file": (io.BytesIO(big), "big.pdf")}, content_type="multipart/form-data")
    assert res.status_code == 413 and "不能超过 64 KB" in res.get_json()["error"]["message"]
    res = api.post(f"/reports/{rid}/attachments", "reporter.unit",
                   data={"file": (io.BytesIO(PNG), "a.png")}, content_type="multipart/form-data")
    assert res.status_code == 403
    res = api.post(f"/reports/{rid}/attachments", "reporter.agency", data={}, content_type="multipart/form-data")
    assert res.status_code == 400
