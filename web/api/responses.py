"""marshmallow schemas of what the API answers, for the OpenAPI document (presenters.py builds the JSON).

`nullable` marks what may be null; the document lets clients rely on types, and the schemathesis run in
the test suite checks every answer against these shapes.
"""
from __future__ import annotations

from functools import cache

from marshmallow import INCLUDE, Schema, fields


class Answer(Schema):
    """Base of the answer schemas: clients must accept keys added later (additionalProperties)."""

    class Meta:
        unknown = INCLUDE


def _s(**kw):
    return fields.String(allow_none=True, **kw)


def _i(**kw):
    return fields.Integer(allow_none=True, **kw)


def _when():
    return fields.String(allow_none=True, metadata={"format": "date-time"})


class ErrorBody(Answer):
    code = fields.String(required=True, metadata={"description": "机器可读的错误代码"})
    message = fields.String(required=True, metadata={"description": "中文说明"})
    details = fields.Raw(metadata={"description": "字段或流程元素的逐条问题"})


class ErrorEnvelope(Answer):
    error = fields.Nested(ErrorBody, required=True)


class UserOut(Answer):
    id = fields.Integer(required=True)
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.String())
    division_code = _s()
    monitoring_point_id = _i()


class TokenOut(Answer):
    token = fields.String(required=True)
    expires_in = fields.Integer()


class ReportOut(Answer):
    id = fields.Integer(required=True)
    tracking_no = _s()
    kind, kind_label, domain, domain_label = _s(), _s(), _s(), _s()
    equipment_type_code, equipment_category_code = _s(), _s()
    title, content = _s(), _s()
    status, status_label = _s(), _s()
    current_tier, current_tier_label, entry_tier = _s(), _s(), _s()
    risk_level, risk_level_label, hazard_grade = _s(), _s(), _s()
    overdue = fields.Boolean(allow_none=True)
    monitoring_point_id = _i()
    division_code, county_code, city_code = _s(), _s(), _s()
    submitted_at, closed_at = _when(), _when()
    outcome = _s(metadata={"description": "办结时告知报送人的处置结果"})
    measures = _s(metadata={"description": "最近一级的处置措施（表单中声明 records=measures 的字段）"})
    opinion = _s(metadata={"description": "最近一级的办理意见（表单中声明 records=opinion 的字段）"})
    notice = fields.String()
    reporter_id = _i(metadata={"description": "仅对有权查看报送人身份的人员返回"})


class EventOut(Answer):
    id = fields.Integer()
    kind = fields.String()
    element_id = _s()
    message = _s()
    actor_id = _i()
    actor = fields.Raw(allow_none=True)
    data = fields.Dict()
    at = _when()


class DataLabel(Answer):
    label = fields.String(metadata={"description": "字段在该环节表单上的中文名称"})
    value_label = _s(metadata={"description": "取值的中文：选项名称（如“上报市级”）、是/否，或原值文本"})


class TimelineEventOut(EventOut):
    data_labels = fields.Dict(keys=fields.String(), values=fields.Nested(DataLabel),
                              metadata={"description": "办理事件（task_completed）的表单数据的中文：键为 data 中的字段 id，"
                                                       "与报送详情页时间线显示一致；其他事件为空"})


class InstanceBrief(Answer):
    id = fields.Integer()
    status = fields.String()
    waiting_element = _s()


class ReportDetailOut(ReportOut):
    timeline = fields.List(fields.Nested(TimelineEventOut))
    instance = fields.Nested(InstanceBrief, allow_none=True)


class FormOption(Answer):
    id = fields.Raw()
    name = fields.Raw()


class FormField(Answer):
    id = fields.String()
    label = _s()
    type = _s()
    required = fields.Boolean(allow_none=True)
    default = fields.Raw(allow_none=True)
    widget = fields.Raw(allow_none=True)
    records = fields.Raw(allow_none=True, metadata={"description": "该字段记录的处置结果（risk_level、hazard_grade、quality_score 等），由流程图声明"})
    options = fields.List(fields.Nested(FormOption), allow_none=True)


class TaskForm(Answer):
    fields_ = fields.List(fields.Nested(FormField), data_key="fields")


class TaskOut(Answer):
    id = fields.String(required=True)
    element_id, name = fields.String(), _s()
    report_id, instance_id = _i(), _i()
    candidate_group, division_code = _s(), _s()
    monitoring_point_id = _i()
    state = _s()
    due_at, created_at = _when(), _when()
    priority = _i()
    claimed_by = _i()
    form = fields.Nested(TaskForm)
    tracking_no, title = _s(), _s()
    division_name = _s(metadata={"description": "行政区划名称（运维接口返回）"})


class AttachmentOut(Answer):
    id = fields.Integer()
    report_id = fields.Integer()
    filename, content_type, sha256, url = fields.String(), fields.String(), fields.String(), fields.String()
    size = fields.Integer()
    created_at = _when()


class PersonRef(Answer):
    id = fields.Integer()
    display_name = _s()


class PointOut(Answer):
    id = fields.Integer(required=True)
    name, kind, kind_label, division_code = fields.String(), fields.String(), _s(), _s()
    control_level = _i()
    credit_code, address, responsible_person, responsible_phone = _s(), _s(), _s(), _s()
    confirmed = fields.Boolean()
    confirmed_at = _when()
    is_enterprise = fields.Boolean()
    safety_directors = fields.List(fields.Nested(PersonRef))


class VersionOut(Answer):
    id = fields.Integer(required=True)
    process_id = fields.String()
    version = fields.Integer()
    state = fields.String()
    content_hash, note = _s(), _s()
    created_by, approved_by, published_by = _i(), _i(), _i()
    created_at, published_at = _when(), _when()


class DecisionTableOut(Answer):
    decision_id, name, content_hash = fields.String(), _s(), _s()


class InstanceOut(Answer):
    id = fields.Integer(required=True)
    report_id = _i()
    status, status_label, waiting_element = fields.String(), _s(), _s()
    since, created_at, next_timer_at = _when(), _when(), _when()
    process_version_id = _i()
    error_element, error_summary, stuck_reason = _s(), _s(), _s()
    stuck_reasons = fields.List(fields.String())
    tracking_no, title, division_code = _s(), _s(), _s()
    version = _i()
    division_name = _s(metadata={"description": "报送所在行政区划的名称"})


class TimerOut(Answer):
    element_id, name = _s(), _s()
    due_at = _when()


class ElementStates(Answer):
    completed, active, failed = (fields.List(fields.String()) for _ in range(3))


class TaskDataOut(Answer):
    id, element_id, name, state = fields.String(), _s(), _s(), _s()
    data = fields.Dict(allow_none=True)


class ResettableOut(Answer):
    element_id, name = fields.String(), _s()


class InstanceDetailOut(InstanceOut):
    error_message, error_traceback = _s(), _s()
    tasks = fields.List(fields.Nested(TaskOut))
    open_tasks = fields.List(fields.Nested(TaskOut))
    timers = fields.List(fields.Nested(TimerOut))
    elements = fields.Nested(ElementStates)
    task_data = fields.List(fields.Nested(TaskDataOut))
    resettable = fields.List(fields.Nested(ResettableOut))
    events = fields.List(fields.Nested(EventOut))


class BulkRetryItem(Answer):
    id = fields.Integer()
    ok = fields.Boolean()
    message = _s()


class BulkRetryOut(Answer):
    items = fields.List(fields.Nested(BulkRetryItem))


class AuditEntryOut(EventOut):
    instance_id, report_id = _i(), _i()
    kind_label = _s()


class CalendarDayOut(Answer):
    day = fields.String(metadata={"format": "date"})
    kind, kind_label, name, weekday = fields.String(), _s(), _s(), _s()


class SettingOptionOut(Answer):
    id = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "中文名称"})


class SystemSettingOut(Answer):
    key = fields.String(required=True, metadata={"description": "设置标识，如 agency_entry"})
    label, description = fields.String(required=True), fields.String()
    value = fields.String(required=True, metadata={"description": "当前取值（未设置时为默认值）"})
    value_label, default = fields.String(), fields.String()
    options = fields.List(fields.Nested(SettingOptionOut))
    updated_at = _when()
    updated_by = _s(metadata={"description": "最近一次修改的管理员姓名"})


class CalendarImportOut(Answer):
    year = fields.Integer(required=True)
    days = fields.Integer(required=True, metadata={"description": "导入的放假日和调休上班日个数"})


class DeadlineOut(Answer):
    workdays = fields.Integer()
    start, due_at, due_at_local = _when(), _when(), _when()


class CaseOut(Answer):
    id = fields.Integer(required=True)
    title, write_up, equipment_type_code, equipment_category_code = _s(), _s(), _s(), _s()
    kind, kind_label, risk_level = _s(), _s(), _s()
    published = fields.Boolean()
    updated_at = _when()


class NotificationOut(Answer):
    id = fields.Integer(required=True)
    kind, title, body, link = _s(), _s(), _s(), _s()
    report_id = _i()
    created_at, read_at = _when(), _when()


class Channels(Answer):
    in_app, email, webhook = fields.Boolean(), fields.Boolean(), fields.Boolean()


class ChannelLabels(Answer):
    in_app, email, webhook = fields.String(), fields.String(), fields.String()


class PreferencesOut(Channels):
    available = fields.Nested(Channels)
    labels = fields.Nested(ChannelLabels)


class OutboxMessageOut(Answer):
    id = fields.Integer(required=True)
    channel, channel_label, recipient, subject = fields.String(), _s(), _s(), _s()
    status, status_label, last_error, idempotency_key = fields.String(), _s(), _s(), _s()
    attempts = fields.Integer()
    notification_id = _i()
    created_at, next_attempt_at = _when(), _when()


class ReceiptOut(Answer):
    user_id, notification_id, acknowledged_by_id = _i(), _i(), _i()
    sent_at, opened_at, acknowledged_at = _when(), _when(), _when()
    status_label = _s()


class SimilarOut(Answer):
    id = fields.Integer()
    tracking_no, title, status, status_label, equipment_type_code = _s(), _s(), _s(), _s(), _s()
    score = fields.Float()


class SimilarList(Answer):
    items = fields.List(fields.Nested(SimilarOut))


class StatsFilters(Answer):
    from_ = fields.String(allow_none=True, data_key="from", metadata={"format": "date"})
    to = fields.String(allow_none=True, metadata={"format": "date"})
    division = _s()


def _counts():
    return fields.Dict(keys=fields.String(), values=fields.Integer())


def _rate():
    return fields.Float(allow_none=True)


class StatsSummaryOut(Answer):
    total, closed, overdue = fields.Integer(), fields.Integer(), fields.Integer()
    by_status, by_tier, by_kind, by_domain = _counts(), _counts(), _counts(), _counts()
    by_equipment_category, by_risk_level = _counts(), _counts()
    on_time_rate, overdue_rate = _rate(), _rate()
    filters = fields.Nested(StatsFilters)


class DivisionRef(Answer):
    code, name, level = fields.String(), _s(), _s()


class BreakdownRow(Answer):
    code, name = fields.String(), _s()
    total, closed, overdue, major = fields.Integer(), fields.Integer(), fields.Integer(), fields.Integer()
    closed_rate, overdue_rate = _rate(), _rate()
    drillable = fields.Boolean()


class StatsDivisionsOut(Answer):
    division = fields.Nested(DivisionRef)
    parent_code = _s()
    items = fields.List(fields.Nested(BreakdownRow))
    filters = fields.Nested(StatsFilters)


class MapRegion(Answer):
    code, name, label = fields.String(), _s(), _s()
    in_scope, link = fields.Boolean(), fields.Boolean()
    total, major, overdue, closed = _i(), _i(), _i(), _i()


class StatsMapOut(Answer):
    shape = fields.String(allow_none=True, metadata={"description": "地图边界文件代码（/static/vendor/shaanxi-map/<shape>.json），无边界数据时为 null"})
    focus = fields.String()
    regions = fields.List(fields.Nested(MapRegion))
    filters = fields.Nested(StatsFilters)


class Bucket(Answer):
    key, label = fields.String(), _s()
    count = fields.Integer()


class HandlingTimeOut(Answer):
    buckets = fields.List(fields.Nested(Bucket))
    closed = fields.Integer()
    average_days = fields.Float(allow_none=True)
    filters = fields.Nested(StatsFilters)


class TrendOut(Answer):
    items = fields.List(fields.Nested(BreakdownRow))
    filters = fields.Nested(StatsFilters)


class OfficeRow(Answer):
    candidate_group, division_code, office = _s(), _s(), _s()
    tasks, completed, on_time, overdue = _i(), _i(), _i(), _i()
    on_time_rate, overdue_rate = _rate(), _rate()


class OfficesOut(Answer):
    items = fields.List(fields.Nested(OfficeRow))
    filters = fields.Nested(StatsFilters)


class PointRank(Answer):
    rank, monitoring_point_id, reports, scored = _i(), _i(), _i(), _i()
    name, kind, kind_label, division = _s(), _s(), _s(), _s()
    average = fields.Float(allow_none=True)


class PointRanksOut(Answer):
    items = fields.List(fields.Nested(PointRank))
    filters = fields.Nested(StatsFilters)


class ReporterRank(Answer):
    rank, reporter_id, reports, scored = _i(), _i(), _i(), _i()
    name, monitoring_point = _s(), fields.Raw(allow_none=True)
    average = fields.Float(allow_none=True)


class ReporterRanksOut(Answer):
    items = fields.List(fields.Nested(ReporterRank))
    filters = fields.Nested(StatsFilters)


class SupervisedTaskOut(TaskOut):
    overdue, urged = fields.Boolean(), fields.Boolean()
    tier, division_name = _s(), _s()
    urge_count = _i()
    last_urged_at = _when()


class ExtensionOut(Answer):
    id = fields.Integer(required=True)
    task_id = fields.String()
    report_id = _i()
    state, reason, decision_note = fields.String(), _s(), _s()
    old_due_at, requested_due_at, requested_at, decided_at = _when(), _when(), _when(), _when()
    requested_by, decided_by = _i(), _i()


class PendingExtensionOut(ExtensionOut):
    task_name, tracking_no, title, division_code = _s(), _s(), _s(), _s()


class SavedFilterOut(Answer):
    id = fields.Integer(required=True)
    name = fields.String()
    params = fields.Dict(keys=fields.String())
    created_at = _when()


class EquipmentTypeOut(Answer):
    code = fields.String(required=True)
    name, parent = _s(), _s()
    level = fields.String(metadata={"description": "category 种类、component_category 压力管道元件或安全附件、"
                                                   "class 类别、variety 品种"})
    category = fields.String(metadata={"description": "所属种类（或压力管道元件 7000、安全附件 F000）的代码"})


class DryRunOut(Answer):
    ok = fields.Boolean(required=True)
    paths = fields.Integer()
    problems = fields.List(fields.Dict(), metadata={"description": "发布前须改正的问题（element_id, message, path …）"})
    warnings = fields.List(fields.Dict(), metadata={"description": "提示：缺少的 id 会停用的功能"})


class WechatBindingOut(Answer):
    bound = fields.Boolean(required=True)
    bound_at = _when()


class WechatConfigOut(Answer):
    login_enabled = fields.Boolean(required=True)
    subscribe_templates = fields.Dict(keys=fields.String(), values=fields.String(),
                                      metadata={"description": "订阅消息模板 id，按用途（task、outcome）"})


@cache
def page_of(item: type[Schema], paged: bool = True) -> type[Schema]:
    """The list envelope `{items, total[, page, per_page]}` around `item` (one class per item schema)."""
    attrs = {"items": fields.List(fields.Nested(item), required=True), "total": _i()}
    if paged:
        attrs.update(page=fields.Integer(), per_page=fields.Integer(), has_next=fields.Boolean())
    name = item.__name__.removesuffix("Out") + ("Page" if paged else "List")
    return type(name, (Answer,), attrs)
