"""Service-task handlers keyed by the diagram's camunda:topic. An explicit registry, no discovery."""
from .context import HandlerContext, HandlerError  # noqa: F401
from .topics import (
    close_report, dispatch_guidance, mark_overdue, notify_safety_director, register_report, send_reminder,
)

HANDLERS = {
    "register_report": register_report,
    "notify_safety_director": notify_safety_director,
    "dispatch_guidance": dispatch_guidance,
    "close_report": close_report,
    "send_reminder": send_reminder,
    "mark_overdue": mark_overdue,
}

# Parameters each topic accepts (shown to workflow owners next to the topic list).
TOPIC_PARAMETERS = {
    "register_report": {},
    "notify_safety_director": {},
    "dispatch_guidance": {},
    "close_report": {},
    "send_reminder": {"target": "county | city | province | director"},
    "mark_overdue": {"tier": "county | city"},
}

TOPIC_DESCRIPTIONS = {
    "register_report": "登记报送信息：生成编号，确定进入层级、属地县市、是否企业报送",
    "notify_safety_director": "通知本单位安全总监（未登记安全总监时报错）",
    "dispatch_guidance": "向属地下达省局指导意见",
    "close_report": "办结归档，记录办结层级与时间",
    "send_reminder": "发送办理提醒",
    "mark_overdue": "标记逾期并自动上报",
}
