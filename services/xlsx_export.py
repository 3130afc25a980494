"""One way to write a list as an XLSX workbook (openpyxl): Chinese header, bold, a note when the list was cut."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))
EXPORT_MAX_ROWS = 10_000
# What a spreadsheet reads as the start of a formula (OWASP "CSV injection"): a typed title such as
# =HYPERLINK(...) must stay text in files that travel to other offices.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The control characters XML 1.0 cannot hold: openpyxl raises IllegalCharacterError and python-docx ValueError.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text without the control characters an XLSX or DOCX file cannot hold."""
    return _ILLEGAL.sub("", text)


def safe_cell(value):
    """A value fit for a cell: text without control characters, and text that would start a formula kept as
    text behind an apostrophe; numbers, dates and None unchanged."""
    if not isinstance(value, str):
        return value
    value = xml_text(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def safe_row(row) -> list:
    """`safe_cell` over a row."""
    return [safe_cell(value) for value in row]


def workbook_bytes(title: str, header: list[str], rows: list[list], note: str | None = None) -> bytes:
    """A one-sheet workbook: the header row, the rows, and below them `note` (e.g. that the list was capped)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(safe_row(row))
    if note:
        sheet.append([])
        sheet.append([note])
    for column, width in zip("ABCDEFGHIJKLMN", (18, 40)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cap_note(more: bool, cap: int = EXPORT_MAX_ROWS) -> str | None:
    """The Chinese note under a list cut at `cap` rows."""
    return f"注：符合条件的记录超过 {cap:,} 条，仅导出前 {cap:,} 条，请缩小筛选范围后分批导出。" if more else None


def local(value: datetime | None) -> str:
    """A stored UTC time as Beijing time for a cell."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def file_name(stem: str, now: datetime) -> str:
    """“报送信息-20261207-1530.xlsx” (Beijing time)."""
    return f"{stem}-{now.astimezone(CHINA).strftime('%Y%m%d-%H%M')}.xlsx"
