"""File answers shared by the API and the pages: PDF and XLSX downloads with a Chinese file name.

Flask's send_file writes `filename*=UTF-8''…` (RFC 5987) beside an ASCII fallback for non-ASCII names.
"""
from __future__ import annotations

from io import BytesIO

from flask import request, send_file

from services.errors import Invalid

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XML = "application/xml"


def download(content: bytes, mimetype: str, name: str, inline: bool = False):
    """`content` as a download (or inline) named `name`, never cached."""
    response = send_file(BytesIO(content), mimetype=mimetype, as_attachment=not inline, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def xml_file(text: str, name: str, inline: bool = False):
    """A BPMN or DMN text as a file named `name` (ids may be Chinese identifiers: the name goes RFC 5987)."""
    return download(text.encode("utf-8"), XML, name, inline=inline)


def wants_xlsx() -> bool:
    """`?format=xlsx` asks for the whole filtered list as an Excel file; another format is a 422."""
    raw = request.args.get("format") or None
    if raw not in (None, "xlsx"):
        raise Invalid("参数 format 取值不正确，应为：xlsx", details=[{"field": "format", "message": "取值不正确"}])
    return raw == "xlsx"
