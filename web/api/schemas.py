"""marshmallow schemas for API input, with Chinese messages."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from storage.models import CONTENT_MAX_CHARS, ReportDomain, ReportKind

from ..input_guards import MAX_ID

REQUIRED = {"required": "必填", "null": "不能为空", "invalid": "类型不正确"}


def Id(strict: bool = False, **kwargs) -> fields.Integer:
    """A row id in a JSON body: a positive integer a database id column can hold (else 422)."""
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=MAX_ID, error="编号须为 1 到 {max} 之间的整数"),
                          error_messages=REQUIRED, **kwargs)


class TokenRequest(Schema):
    class Meta:
        unknown = RAISE

    username = fields.String(required=True, validate=validate.Length(min=1, max=64), error_messages=REQUIRED)
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), error_messages=REQUIRED)


class ReportCreate(Schema):
    kind = fields.String(required=True, error_messages=REQUIRED, validate=validate.OneOf(
        [k.value for k in ReportKind], error="应为 problem（问题）、risk_hazard（风险隐患）或 suggestion（意见建议）"))
    domain = fields.String(required=True, error_messages=REQUIRED, validate=validate.OneOf(
        [d.value for d in ReportDomain], error="涉及环节不正确"))
    equipment_type_code = fields.String(required=True, error_messages=REQUIRED,
                                        validate=validate.Length(min=4, max=8, error="设备类别代码不正确"))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=200, error="标题不能超过 {max} 个字符"), error_messages=REQUIRED)
    content = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(
        min=1, max=CONTENT_MAX_CHARS, error=f"内容须为 1 到 {CONTENT_MAX_CHARS} 个字符"))


class TaskComplete(Schema):
    data = fields.Dict(required=True, error_messages={**REQUIRED, "invalid": "data 必须是对象"})
