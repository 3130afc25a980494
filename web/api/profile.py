"""The caller's notification channels and notices (/me/preferences, /me/notifications)."""
from __future__ import annotations

from flask import jsonify, request
from marshmallow import RAISE, Schema, fields

from services import notifications, preferences
from web import env

from . import api
from .openapi import doc
from .params import NotificationQuery
from .responses import NotificationOut, PreferencesOut, page_of
from .auth import current_user
from .common import json_body, listing, load, paging
from .presenters import iso
from .schemas import REQUIRED


class PreferencesUpdate(Schema):
    class Meta:
        unknown = RAISE

    email = fields.Boolean(required=True, error_messages=REQUIRED)
    webhook = fields.Boolean(required=True, error_messages=REQUIRED)


def preferences_json(pref: preferences.Preferences) -> dict:
    return {"in_app": True, "email": pref.email, "webhook": pref.webhook,
            "available": {"in_app": True, "email": pref.email_available, "webhook": pref.webhook_available},
            "labels": {"in_app": "站内消息（始终开启）", "email": "电子邮件", "webhook": "短信/微信网关"}}


def notification_json(note) -> dict:
    return {"id": note.id, "kind": note.kind, "title": note.title, "body": note.body, "link": note.link,
            "report_id": note.report_id, "created_at": iso(note.created_at), "read_at": iso(note.read_at)}


@api.get("/me/preferences")
@doc("我的通知渠道设置", response=PreferencesOut)
def get_preferences():
    """The caller's notification channels."""
    return jsonify(preferences_json(preferences.get_preferences(env(), current_user())))


@api.put("/me/preferences")
@doc("修改通知渠道设置", body=PreferencesUpdate, response=PreferencesOut)
def put_preferences():
    """Choose e-mail and/or webhook (SMS/WeChat gateway) besides in-app notices."""
    body = load(PreferencesUpdate(), json_body())
    return jsonify(preferences_json(preferences.set_preferences(env(), current_user(), body["email"],
                                                               body["webhook"])))


@api.get("/me/notifications")
@doc("我的通知", query=NotificationQuery, response=page_of(NotificationOut))
def list_notifications():
    """The caller's notices, newest first (`?unread=1` for unread only)."""
    page, per_page = paging()
    rows, total = notifications.list_notifications(env(), current_user(), page, per_page,
                                                   unread_only=request.args.get("unread") in ("1", "true"))
    return jsonify(listing([notification_json(n) for n in rows], total, page, per_page))


@api.post("/me/notifications/<int:notification_id>/read")
@doc("标记通知已读", response=NotificationOut)
def read_notification(notification_id: int):
    """Record that the caller opened a notice (receipt)."""
    return jsonify(notification_json(notifications.mark_read(env(), current_user(), notification_id)))
