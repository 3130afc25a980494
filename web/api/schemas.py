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
                                        validate=validate.Length(min=4, max=8, error="特种设备目录代码不正确"))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=200, error="标题不能超过 {max} 个字符"), error_messages=REQUIRED)
    content = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(
        min=1, max=CONTENT_MAX_CHARS, error=f"内容须为 1 到 {CONTENT_MAX_CHARS} 个字符"))
    equipment_code = fields.String(load_default=None, allow_none=True, error_messages=REQUIRED,
                                   validate=validate.Length(max=64, error="设备代码不能超过 {max} 个字符"))
    registration_cert_no = fields.String(load_default=None, allow_none=True, error_messages=REQUIRED,
                                         validate=validate.Length(max=64, error="使用登记证号不能超过 {max} 个字符"))


class TaskComplete(Schema):
    data = fields.Dict(required=True, error_messages={**REQUIRED, "invalid": "data 必须是对象"})


class TaskUrge(Schema):
    class Meta:
        unknown = RAISE

    message = fields.String(required=True, error_messages=REQUIRED,
                            validate=validate.Length(min=1, max=500, error="督办意见须为 1 到 {max} 个字符"))


class TaskTransfer(Schema):
    class Meta:
        unknown = RAISE

    division_code = fields.String(required=True, error_messages=REQUIRED,
                                  validate=validate.Length(equal=6, error="区划代码为 6 位"))
    reason = fields.String(required=True, error_messages=REQUIRED,
                           validate=validate.Length(min=1, max=500, error="转办理由须为 1 到 {max} 个字符"))


class ExtensionRequest(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(required=True, error_messages=REQUIRED,
                           validate=validate.Length(min=1, max=500, error="延期理由须为 1 到 {max} 个字符"))
    due_date = fields.Date(load_default=None, allow_none=True, error_messages={**REQUIRED, "invalid": "日期格式应为 YYYY-MM-DD"})
    working_days = fields.Integer(load_default=None, allow_none=True, strict=True,
                                  error_messages={**REQUIRED, "invalid": "必须是整数"},
                                  validate=validate.Range(min=1, max=60, error="须在 {min} 到 {max} 之间"))


class ExtensionDecision(Schema):
    class Meta:
        unknown = RAISE

    approve = fields.Boolean(required=True, truthy={True}, falsy={False},
                             error_messages={**REQUIRED, "invalid": "必须是 true 或 false"})
    note = fields.String(load_default=None, allow_none=True, error_messages=REQUIRED,
                         validate=validate.Length(max=500, error="审批意见不能超过 {max} 个字符"))


class SavedFilterCreate(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, error_messages=REQUIRED,
                         validate=validate.Length(min=1, max=64, error="名称须为 1 到 {max} 个字符"))
    params = fields.Dict(required=True, error_messages={**REQUIRED, "invalid": "params 必须是对象"})
