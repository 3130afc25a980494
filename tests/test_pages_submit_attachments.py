"""A report and the files chosen on the submit page are stored together or not at all."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from services import attachments as attachment_service
from services.reports import ReportInput, submit_with_attachments
from storage.models import Attachment, InstanceEvent, ProcessInstance, Report, User
from web import env as make_env
from web.extensions import db
from pages_helpers import PDF, PNG, signed_in, token


def submit(client, *files):
    data = {"kind": "risk_hazard", "domain": "use", "eq_category": "3000", "eq_class": "3100", "eq_variety": "3110",
            "title": "电梯层门门锁回路被短接", "content": "现场发现层门门锁回路被短接。",
            "csrf_token": token(client, "/reports/new"),
            "attachments": [(io.BytesIO(data), name) for data, name in files]}
    return client.post("/reports/new", data=data, content_type="multipart/form-data")


def stored(app) -> dict:
    """How many reports, instances, attachment rows and files on disk there are."""
    with app.app_context():
        try:
            counts = {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                      for model in (Report, ProcessInstance, Attachment)}
        finally:
            db.session.remove()
    folder = Path(app.extensions["riskmon.settings"].upload_dir)
    counts["files"] = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    return counts


def test_two_files_are_stored_with_the_report(small_app):
    client = signed_in(small_app, "reporter.unit")
    before = stored(small_app)
    res = submit(client, (PNG, "现场.png"), (PDF, "记录.pdf"))
    assert res.status_code == 302
    after = stored(small_app)
    assert after["Report"] == before["Report"] + 1 and after["ProcessInstance"] == before["ProcessInstance"] + 1
    with small_app.app_context():
        report = db.session.scalar(select(Report).order_by(Report.id.desc()))
        rows = list(db.session.scalars(select(Attachment).where(Attachment.report_id == report.id)
                                       .order_by(Attachment.id)))
        kinds = list(db.session.scalars(select(InstanceEvent.kind).where(InstanceEvent.report_id == report.id)))
        db.session.remove()
    assert [(r.filename, r.content_type, r.size) for r in rows] == [
        ("现场.png", "image/png", len(PNG)), ("记录.pdf", "application/pdf", len(PDF))]
    assert sorted(r.storage_name for r in rows) == after["files"]
    assert "attachment_added" in kinds
    assert f"/reports/{report.id}" in res.headers["Location"]


def test_a_failing_file_write_leaves_no_report_and_no_files(small_app, monkeypatch):
    client = signed_in(small_app, "reporter.unit")
    before = stored(small_app)
    real, calls = attachment_service.write_file, []

    def second_write_fails(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(attachment_service, "write_file", second_write_fails)
    res = submit(client, (PNG, "现场.png"), (PDF, "记录.pdf"))
    assert res.status_code == 503
    assert "附件“记录.pdf”保存失败，本次报送未提交" in res.get_data(as_text=True)
    assert len(calls) == 2 and not calls[0].exists()  # the first file, already written, was deleted
    assert stored(small_app) == before
    monkeypatch.undo()
    assert submit(client, (PNG, "现场.png")).status_code == 302  # no lock or half transaction left behind


def test_a_failing_commit_deletes_the_written_files(app, monkeypatch):
    before = stored(app)
    with app.app_context():
        e = make_env()
        user = e.session.scalar(select(User).where(User.username == "reporter.unit"))
        real = e.session.commit

        def commit_fails():
            if any(isinstance(obj, Report) for obj in e.session.identity_map.values()):
                raise OperationalError("COMMIT", {}, Exception("database is locked"))
            real()

        monkeypatch.setattr(e.session, "commit", commit_fails)
        uploads = [attachment_service.Upload("现场.png", PNG), attachment_service.Upload("记录.pdf", PDF)]
        with pytest.raises(OperationalError):
            submit_with_attachments(e, user, ReportInput(kind="risk_hazard", domain="use", equipment_type_code="3110",
                                                         content="现场发现层门门锁回路被短接。"), uploads)
        monkeypatch.undo()
        db.session.remove()
    assert stored(app) == before
