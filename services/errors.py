"""Errors a use case raises; the web layer maps each to an HTTP status and a Chinese message."""
from __future__ import annotations


class ServiceError(Exception):
    """Base: `code` is machine-readable, the message is for people."""

    code = "error"
    status = 400

    def __init__(self, message: str, details: list | dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(ServiceError):
    code, status = "not_found", 404


class Forbidden(ServiceError):
    code, status = "forbidden", 403


class Conflict(ServiceError):
    code, status = "conflict", 409


class Invalid(ServiceError):
    code, status = "invalid", 422


class Unauthorized(ServiceError):
    code, status = "unauthorized", 401


class Locked(ServiceError):
    code, status = "locked", 423
