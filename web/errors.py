"""Error handling: JSON `{"error": {code, message, details?}}` under /api, Chinese pages elsewhere."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from sqlalchemy.exc import DBAPIError, InvalidRequestError, PendingRollbackError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from services.errors import ServiceError

from .extensions import db

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
POOL_EXHAUSTED = "This connection is closed"  # SQLAlchemy pool: reconnection attempts on checkout exhausted

HTTP_MESSAGES = {
    400: "请求格式不正确", 401: "请先登录", 403: "无权执行该操作", 404: "请求的资源不存在",
    405: "不支持该请求方法", 409: "操作冲突，请刷新后重试", 413: "上传内容过大", 415: "不支持的内容类型",
    422: "提交的数据不合法", 423: "账户已锁定", 429: "请求过于频繁", 500: "服务器内部错误，请稍后再试",
    503: "服务暂时不可用（数据库连接中断），本次操作未保存，请稍后重试",
}


def wants_json() -> bool:
    """API paths and JSON clients get JSON errors."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, code: str, message: str, details=None):
    """Render an error for the current request."""
    if wants_json():
        body = {"error": {"code": code, "message": message}}
        if details is not None:
            body["error"]["details"] = details
        return jsonify(body), status
    return render_template("error.html", status=status, message=message, details=details), status


def register_error_handlers(app: Flask) -> None:
    """Map service errors, HTTP errors and a lost database to clear answers, never a bare 500."""

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        _safe_rollback()  # a dead connection must not turn this 4xx into a 500
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        message = HTTP_MESSAGES.get(status, exc.description or "请求失败")
        if status == 413:
            limit = app.extensions["riskmon.settings"].max_upload_bytes // (1024 * 1024)
            message = f"上传内容过大，单个文件不能超过 {limit} MB"
        return error_response(status, exc.name.lower().replace(" ", "_"), message)

    @app.errorhandler(DBAPIError)  # OperationalError, InterfaceError … are DBAPIErrors
    @app.errorhandler(PendingRollbackError)
    def _database_error(exc):
        # The whole step was rolled back: nothing of the request is stored, so the client may simply retry.
        log.warning("database error, answered 503: %s", exc)
        _safe_rollback()
        response, status = error_response(503, "database_unavailable", HTTP_MESSAGES[503])
        response = app.make_response((response, status))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(InvalidRequestError)
    def _invalid_request(exc):
        # The pool's checkout gave up: every new connection it made was ended at once (the server is going
        # down or restarting). SQLAlchemy says so with this plain InvalidRequestError; it is an outage (503).
        if str(exc) == POOL_EXHAUSTED:
            return _database_error(exc)
        return _unexpected(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        log.exception("unexpected error")
        _safe_rollback()
        return error_response(500, "internal_error", HTTP_MESSAGES[500])


def _safe_rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; nothing else to do
        log.warning("rollback failed", exc_info=True)
        try:
            db.session.close()  # drop the broken connection; the pool hands out a fresh one next time
        except Exception:  # noqa: BLE001
            log.warning("closing the session failed", exc_info=True)


def register_method_not_allowed(app: Flask) -> None:
    """405 in the error envelope, keeping the `Allow` header the client needs (RFC 9110 §15.5.6)."""

    @app.errorhandler(MethodNotAllowed)
    def _method_not_allowed(exc: MethodNotAllowed):
        response = make_response(error_response(405, "method_not_allowed", HTTP_MESSAGES[405]))
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods or ()))
        return response
