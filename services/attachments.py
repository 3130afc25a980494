"""Report attachments: type sniffed from the bytes, size limited, stored under the upload directory."""
from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from storage.models import ROLE_LABELS, Attachment, Report, ReportStatus, Role, User, utcnow
from storage.repositories import add_event

from .access import OFFICER_ROLES, can_view_report, sees_reporter_identity
from .context import Env
from .directory import user_names
from .errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from .image_conversion import heif_to_jpeg, is_heif

# Content types we accept, by what the file's first bytes say (never by its name or the browser's claim).
ALLOWED_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}
EXTENSIONS = {"image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",), "image/webp": (".webp",),
              "application/pdf": (".pdf",)}
ALLOWED_LABEL = "照片（JPG、PNG、WEBP、HEIC）或 PDF"
MAX_FILES_PER_REPORT = 10


class TooLarge(ServiceError):
    code, status = "too_large", 413


class StorageFailed(ServiceError):
    code, status = "storage_failed", 503


log = logging.getLogger(__name__)


@dataclass
class Upload:
    """One received file."""

    filename: str
    data: bytes


def sniff(data: bytes) -> str | None:
    """The content type the magic bytes announce, if it is one we accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def size_text(n: int) -> str:
    """A byte count as people read it (10 MB, 64 KB)."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    return f"{n / 1024:g} KB"


def limit_text(max_bytes: int) -> str:
    """The limits in words, as shown next to the file input."""
    return f"{ALLOWED_LABEL}，单个文件不超过 {size_text(max_bytes)}，每条报送最多 {MAX_FILES_PER_REPORT} 个"


def read_upload(stream, filename: str, max_bytes: int) -> Upload:
    """Read at most max_bytes (+1 to notice more) from a file stream; 413 when it is bigger.

    A HEIC/HEIF photo (what an iPhone takes) is converted to JPEG here, so it is stored and shown as JPEG.
    """
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(f"文件“{filename}”过大，单个文件不能超过 {size_text(max_bytes)}")
    if is_heif(data):
        data, filename = heif_to_jpeg(data, filename)
    return Upload(filename=filename, data=data)


def check_upload(upload: Upload, max_bytes: int) -> str:
    """The sniffed content type, or 413/422 with a Chinese message."""
    if len(upload.data) > max_bytes:
        raise TooLarge(f"文件“{upload.filename}”过大，单个文件不能超过 {size_text(max_bytes)}")
    if not upload.data:
        raise Invalid(f"文件“{upload.filename}”是空文件")
    content_type = sniff(upload.data)
    if content_type is None:
        raise Invalid(f"文件“{upload.filename}”类型不支持，只能上传{ALLOWED_LABEL}")
    return content_type


def _may_attach(env: Env, user: User, report: Report) -> None:
    """The reporter, and officers whose jurisdiction the report is in; not the unit side, not admins."""
    if user.id == report.reporter_id:
        return
    if user.has_role(*OFFICER_ROLES) and can_view_report(env.session, user, report):
        return
    raise Forbidden("只有报送人和处置链上的监管人员可以为该报送信息上传附件")


FINISHED = (ReportStatus.CLOSED, ReportStatus.TERMINATED)  # no files are added after the report is closed


def uploader_labels(env: Env, viewer: User, report: Report, files: Sequence[Attachment]) -> dict[int, str]:
    """Who added each file as this viewer may know it: names, but 信息报送员 for the reporter on the unit side."""
    names = user_names(env, [a.uploaded_by_id for a in files])
    masked = not (viewer.id == report.reporter_id or sees_reporter_identity(viewer))
    return {a.id: ROLE_LABELS[Role.REPORTER] if masked and a.uploaded_by_id == report.reporter_id
            else names.get(a.uploaded_by_id, "—") for a in files}


def add_attachments(env: Env, user: User, report_id: int, uploads: list[Upload]) -> list[Attachment]:
    """Check every file, store them and record them in one transaction."""
    report = env.session.get(Report, report_id)
    if report is None:
        raise NotFound("报送信息不存在")
    _may_attach(env, user, report)
    if report.status in FINISHED:
        raise Conflict("该报送信息已办结，不能再补充附件")
    existing = len(list_attachments(env, report_id))
    if existing + len(uploads) > MAX_FILES_PER_REPORT:
        raise Invalid(f"每条报送最多 {MAX_FILES_PER_REPORT} 个附件（已有 {existing} 个）")
    with written_files(env, uploads) as files:
        rows = record_attachments(env, user, report, files)
        env.session.commit()
    return rows


@dataclass
class StoredFile:
    """A checked upload already written to the upload directory, not yet recorded."""

    upload: Upload
    content_type: str
    storage_name: str


def write_file(path: Path, data: bytes) -> None:
    """Put one file's bytes on disk (the one place attachments touch storage)."""
    path.write_bytes(data)


@contextmanager
def written_files(env: Env, uploads: list[Upload]) -> Iterator[list[StoredFile]]:
    """Check the uploads, write them, and give them to the block that records them in its transaction.

    Files go to disk before the rows are committed: if writing or the block (its commit included) fails,
    the files written so far are deleted and the transaction rolled back, so no row points at a missing
    file and no file is left without its row.
    """
    if len(uploads) > MAX_FILES_PER_REPORT:
        raise Invalid(f"每条报送最多 {MAX_FILES_PER_REPORT} 个附件")
    types = [check_upload(u, env.settings.max_upload_bytes) for u in uploads]
    folder = Path(env.settings.upload_dir)
    files: list[StoredFile] = []
    try:
        if uploads:
            folder.mkdir(parents=True, exist_ok=True)
        for upload, content_type in zip(uploads, types):
            stored = StoredFile(upload, content_type, uuid.uuid4().hex + ALLOWED_TYPES[content_type])
            _write(folder, stored)
            files.append(stored)
        yield files
    except BaseException:
        env.session.rollback()
        for stored in files:
            (folder / stored.storage_name).unlink(missing_ok=True)
        raise


def _write(folder: Path, stored: StoredFile) -> None:
    try:
        write_file(folder / stored.storage_name, stored.upload.data)
    except OSError as exc:
        log.exception("writing attachment %s failed", stored.storage_name)
        raise StorageFailed(f"附件“{stored.upload.filename}”保存失败，本次报送未提交，请稍后重试") from exc


def record_attachments(env: Env, user: User, report: Report, files: Sequence[StoredFile]) -> list[Attachment]:
    """Attachment rows (and one timeline event) for files already written; flushed, not committed."""
    rows = [Attachment(report_id=report.id, filename=_clean_name(f.upload.filename, f.content_type),
                       content_type=f.content_type, size=len(f.upload.data),
                       sha256=hashlib.sha256(f.upload.data).hexdigest(), storage_name=f.storage_name,
                       uploaded_by_id=user.id, created_at=utcnow()) for f in files]
    if rows:
        env.session.add_all(rows)
        add_event(env.session, "attachment_added", f"{user.display_name} 上传了附件：" + "、".join(r.filename for r in rows),
                  report_id=report.id, actor_id=user.id)
        env.session.flush()
    return rows


def _clean_name(filename: str, content_type: str) -> str:
    name = Path((filename or "").replace("\\", "/")).name.strip() or "附件"
    name = "".join(ch for ch in name if ch.isprintable())[:200]
    return download_name(name, content_type)


def download_name(filename: str, content_type: str) -> str:
    """The file name with the extension of what the bytes are: PNG bytes named `x.exe` become `x.png`."""
    stem, dot, extension = filename.rpartition(".")
    if not dot or not stem:
        stem = filename
    elif "." + extension.lower() in EXTENSIONS[content_type]:
        return filename
    return (stem.strip() or "附件") + ALLOWED_TYPES[content_type]


def list_attachments(env: Env, report_id: int) -> list[Attachment]:
    """A report's attachments in upload order (the caller has already checked access to the report)."""
    stmt = select(Attachment).where(Attachment.report_id == report_id).order_by(Attachment.id)
    return list(env.session.scalars(stmt))


def open_attachment(env: Env, user: User, report_id: int, attachment_id: int) -> tuple[Attachment, Path]:
    """An attachment of a report the person may read, and the file holding its bytes."""
    row = env.session.get(Attachment, attachment_id)
    if row is None or row.report_id != report_id:
        raise NotFound("附件不存在")
    report = env.session.get(Report, report_id)
    if report is None or not can_view_report(env.session, user, report):
        raise Forbidden("无权查看该附件")
    path = Path(env.settings.upload_dir) / row.storage_name
    if not path.is_file():
        raise NotFound("附件文件已丢失，请联系管理员")
    return row, path
