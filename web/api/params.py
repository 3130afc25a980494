"""marshmallow schemas of query arguments, for the OpenAPI document (the views read `request.args`)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from storage.models import InstanceStatus, MonitoringPointKind, ReportKind, ReportStatus

from ..input_guards import MAX_ID, MAX_PAGE
from .common import MAX_PER_PAGE


def _id(description: str):
    return fields.Integer(metadata={"description": description, "format": "int32"},
                          validate=validate.Range(min=-MAX_ID - 1, max=MAX_ID))


def _day(description: str, **kwargs):
    return fields.Date(metadata={"description": description + "（YYYY-MM-DD，2000-01-01 至 2099-12-31）"}, **kwargs)


class Paging(Schema):
    page = fields.Integer(validate=validate.Range(min=1, max=MAX_PAGE), metadata={"description": "页码，从 1 开始"})
    per_page = fields.Integer(validate=validate.Range(min=1, max=MAX_PER_PAGE), metadata={"description": "每页条数"})


def _xlsx():
    return fields.String(validate=validate.OneOf(["xlsx"]),
                         metadata={"description": "xlsx：按当前筛选导出全部符合条件的记录为 Excel 文件（最多 10000 条）"})


class ReportQuery(Paging):
    mine = fields.String(validate=validate.OneOf(["0", "1"]), metadata={"description": "1：只看本人报送的"})
    status = fields.String(validate=validate.OneOf([s.value for s in ReportStatus]), metadata={"description": "状态"})
    q = fields.String(metadata={"description": "全文检索：标题或内容中的词语，或跟踪编号"})
    kind = fields.String(validate=validate.OneOf([k.value for k in ReportKind]), metadata={"description": "报送类型"})
    category = fields.String(metadata={"description": "设备种类代码，如 3000"})
    division = fields.String(metadata={"description": "行政区划代码"})
    from_ = _day("报送日期从", data_key="from")
    to = _day("报送日期至")
    format = _xlsx()


class TaskQuery(Paging):
    report_id = _id("报送信息编号")
    element_id = fields.String(metadata={"description": "流程环节 id，如 county_disposal"})
    q = fields.String(metadata={"description": "按跟踪号或标题关键词检索"})
    sort = fields.String(metadata={"description": "排序：due（期限）等"})
    count = fields.String(validate=validate.OneOf(["0", "1"]), metadata={"description": "0：不统计总数"})
    format = _xlsx()


class PointQuery(Paging):
    kind = fields.String(validate=validate.OneOf([k.value for k in MonitoringPointKind]))
    confirmed = fields.String(validate=validate.OneOf(["0", "1"]))


class VersionQuery(Schema):
    process_id = fields.String(metadata={"description": "流程 id"})


class InstanceQuery(Paging):
    status = fields.String(validate=validate.OneOf([s.value for s in InstanceStatus] + ["stuck", "active"]))
    element = fields.String(metadata={"description": "停留的流程环节"})
    version = _id("流程版本编号")
    division = fields.String(metadata={"description": "行政区划代码"})
    min_age_days = fields.Integer(validate=validate.Range(min=0, max=36_500), metadata={"description": "停留天数下限"})


class AuditQuery(Paging):
    kind = fields.String()
    actor = fields.String(metadata={"description": "操作人用户名"})
    instance_id = _id("流程实例编号")


class CaseQuery(Paging):
    equipment = fields.String(metadata={"description": "特种设备目录代码（种类、类别或品种，含其下级）"})
    kind = fields.String(validate=validate.OneOf([k.value for k in ReportKind]))
    q = fields.String(metadata={"description": "关键词"})


class NotificationQuery(Paging):
    unread = fields.String(validate=validate.OneOf(["0", "1", "true", "false"]), metadata={"description": "1：只看未读"})


class StatsQuery(Schema):
    from_ = _day("起始日期", data_key="from")
    to = _day("截止日期")
    division = fields.String(metadata={"description": "行政区划代码（须在本人辖区内）"})


class RankingQuery(StatsQuery):
    limit = fields.Integer(validate=validate.Range(min=1, max=200))


class SimilarQuery(Schema):
    limit = fields.Integer(validate=validate.Range(min=1, max=20))


class CalendarQuery(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2099))


class DeadlineQuery(Schema):
    workdays = fields.Integer(required=True, validate=validate.Range(min=0, max=366), metadata={"description": "工作日数"})
    start = fields.DateTime(metadata={"description": "起算时间（ISO-8601，默认当前）"})


def _flag(description: str):
    return fields.String(validate=validate.OneOf(["0", "1", "true", "false"]), metadata={"description": description})


class SupervisedQuery(Paging):
    division = fields.String(metadata={"description": "行政区划代码"})
    element = fields.String(metadata={"description": "流程环节 id"})
    overdue = _flag("1：只看已超期的；0：只看未超期的")
    urged = _flag("1：只看已督办的；0：只看未督办的")
    q = fields.String(metadata={"description": "按跟踪号或标题关键词检索"})
    format = fields.String(validate=validate.OneOf(["xlsx"]), metadata={"description": "xlsx：导出为 Excel 文件"})
