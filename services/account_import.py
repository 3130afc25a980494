"""Bulk import of reporters (信息报送员) from the XLSX template, all or nothing.

Every row is checked with the same rules as a single account; when any row is wrong nothing is created
and the report lists every bad row, so the file can be fixed and uploaded again as a whole.
"""
from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook, load_workbook

from storage.models import MonitoringPoint, Role, User

from .accounts import AccountInput, _audit, _require_manager, create_account
from .context import Env
from .errors import Invalid, ServiceError

MAX_ROWS = 2000
COLUMNS = ("登录名", "姓名", "联系电话", "监测点编号", "初始密码")
SHEET = "信息报送员"


class TooLarge(ServiceError):
    code, status = "too_large", 413


def template_bytes() -> bytes:
    """The empty template: one header row and one example row."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(COLUMNS)
    sheet.append(("zhangsan.unit", "张三", "13800000000", 1, "请改为符合规则的初始密码"))
    for column, width in zip("ABCDE", (20, 12, 16, 12, 24)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(content: bytes, limit_bytes: int) -> list[tuple]:
    if len(content) > limit_bytes:
        raise TooLarge(f"文件超过 {limit_bytes // (1024 * 1024)} MB 的上传限制")
    if not content.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(content)):
        raise Invalid("文件不是 XLSX 格式，请使用下载的导入模板")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken workbook
        raise Invalid("无法读取该 XLSX 文件，请使用下载的导入模板") from None
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if len(rows) >= MAX_ROWS:
            raise Invalid(f"一次最多导入 {MAX_ROWS} 行")
        if any(cell not in (None, "") for cell in row):
            rows.append(row)
    book.close()
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _input(env: Env, row: tuple) -> AccountInput:
    cells = [_text(v) for v in (tuple(row) + (None,) * len(COLUMNS))[:len(COLUMNS)]]
    username, name, phone, point, password = cells
    if not point.isdigit():
        raise Invalid("监测点编号必须是数字")
    found = env.session.get(MonitoringPoint, int(point))
    if found is None:
        raise Invalid(f"监测点 {point} 不存在")
    return AccountInput(username=username, display_name=name, password=password, role=Role.REPORTER.value,
                        division_code=found.division_code, monitoring_point_id=found.id, phone=phone or None)


def import_reporters(env: Env, actor: User, content: bytes, limit_bytes: int) -> dict:
    """Create every row's reporter, or none when any row is wrong; the report names each bad row."""
    _require_manager(actor)
    rows = _rows(content, limit_bytes)
    if not rows:
        raise Invalid("文件中没有数据行")
    errors, created = [], []
    for number, row in enumerate(rows, start=2):
        try:
            with env.session.begin_nested():
                created.append(create_account(env, actor, _input(env, row), audit=False))
        except ServiceError as exc:
            errors.append({"row": number, "message": exc.message})
    if errors:
        env.session.rollback()
        return {"created": 0, "errors": errors}
    for user in created:
        _audit(env, actor, user, "admin_user_created", f"批量导入账户 {user.username}（{user.display_name}）",
               None, {"username": user.username, "roles": user.roles, "monitoring_point_id": user.monitoring_point_id})
    env.session.commit()
    return {"created": len(created), "errors": []}
