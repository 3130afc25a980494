"""Monitoring-point registry endpoints."""
from __future__ import annotations

from flask import jsonify, request
from marshmallow import Schema, fields, validate

from services import monitoring_points as points
from storage.models import POINT_KIND_LABELS, MonitoringPointKind
from web import env

from . import api
from .openapi import doc
from .params import PointQuery
from .responses import PointOut, page_of
from .auth import current_user
from .common import enum_arg, json_body, listing, load, paging
from .presenters import iso
from .schemas import REQUIRED, Id


class PointCreate(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=128), error_messages=REQUIRED)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in MonitoringPointKind]),
                         error_messages=REQUIRED)
    division_code = fields.String(required=True, validate=validate.Length(equal=6), error_messages=REQUIRED)
    control_level = fields.Integer(load_default=None, allow_none=True, validate=validate.OneOf([1, 2]))
    credit_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))
    responsible_person = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    responsible_phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))


class DirectorAssign(Schema):
    user_id = Id(strict=True, required=True)


def point_json(point) -> dict:
    return {"id": point.id, "name": point.name, "kind": point.kind.value, "kind_label": POINT_KIND_LABELS[point.kind],
            "division_code": point.division_code, "control_level": point.control_level,
            "credit_code": point.credit_code, "address": point.address,
            "responsible_person": point.responsible_person, "responsible_phone": point.responsible_phone,
            "confirmed": point.confirmed, "confirmed_at": iso(point.confirmed_at),
            "is_enterprise": point.is_enterprise,
            "safety_directors": [{"id": u.id, "display_name": u.display_name} for u in point.safety_directors]}


@api.get("/monitoring-points")
@doc("监测点列表", query=PointQuery, response=page_of(PointOut))
def list_points():
    page, per_page = paging()
    confirmed = {"1": True, "0": False}.get(request.args.get("confirmed", ""))
    rows, total = points.list_points(env(), current_user(), page, per_page, enum_arg("kind", MonitoringPointKind),
                                     confirmed)
    return jsonify(listing([point_json(p) for p in rows], total, page, per_page))


@api.post("/monitoring-points")
@doc("登记监测点", body=PointCreate, response=PointOut, status=201, errors=(409,))
def create_point():
    body = load(PointCreate(), json_body())
    return jsonify(point_json(points.register_point(env(), current_user(), points.PointInput(**body)))), 201


@api.get("/monitoring-points/<int:point_id>")
@doc("监测点详情", response=PointOut)
def get_point(point_id: int):
    return jsonify(point_json(points.get_point(env(), current_user(), point_id)))


@api.post("/monitoring-points/<int:point_id>/confirm")
@doc("确认监测点", response=PointOut, errors=(409,))
def confirm_point(point_id: int):
    return jsonify(point_json(points.confirm_point(env(), current_user(), point_id)))


@api.post("/monitoring-points/<int:point_id>/safety-directors")
@doc("登记安全总监", body=DirectorAssign, response=PointOut, status=201, errors=(409,))
def add_director(point_id: int):
    body = load(DirectorAssign(), json_body())
    points.assign_safety_director(env(), current_user(), point_id, body["user_id"])
    return jsonify(point_json(points.get_point(env(), current_user(), point_id))), 201


@api.delete("/monitoring-points/<int:point_id>/safety-directors/<int:user_id>")
@doc("移除安全总监", status=204)
def remove_director(point_id: int, user_id: int):
    points.remove_safety_director(env(), current_user(), point_id, user_id)
    return "", 204
