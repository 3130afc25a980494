"""Service-task handlers keyed by the diagram's camunda:topic. An explicit registry, no discovery."""
from .context import HandlerContext, HandlerError  # noqa: F401
from .deadlines import director_acknowledged, director_overdue, mark_overdue, prepare_panel, send_reminder
from .topics import close_report, dispatch_guidance, notify_safety_director, register_report

HANDLERS = {
    "register_report": register_report,
    "notify_safety_director": notify_safety_director,
    "dispatch_guidance": dispatch_guidance,
    "close_report": close_report,
    "send_reminder": send_reminder,
    "mark_overdue": mark_overdue,
    "director_overdue": director_overdue,
    "director_acknowledged": director_acknowledged,
    "prepare_panel": prepare_panel,
}

# Parameters each topic accepts (shown to workflow owners next to the topic list).
TOPIC_PARAMETERS = {
    "register_report": {},
    "notify_safety_director": {},
    "dispatch_guidance": {},
    "close_report": {},
    "send_reminder": {"target": "county | city | center | province | rectification | director",
                      "element": "要提醒的用户任务 id（提醒其办理人）"},
    "mark_overdue": {"tier": "county | city | center | province | rectification",
                     "element": "逾期的用户任务 id（标红，仍由本级办理）"},
    "director_overdue": {},
    "director_acknowledged": {},
    "prepare_panel": {},
}

TOPIC_DESCRIPTIONS = {
    "register_report": "登记报送信息：生成编号，设置可供分支的流程变量（进入层级由决策表确定）",
    "notify_safety_director": "通知本单位安全总监（生产、充装单位为质量安全总监；未登记时报错），单位确认状态记为待确认",
    "dispatch_guidance": "向属地下达省局措施意见与指导意见，并抄送市级",
    "close_report": "办结归档，记录办结层级与时间",
    "send_reminder": "发送办理提醒",
    "mark_overdue": "标记逾期并通知上一级督办（不移交办理）",
    "director_overdue": "安全总监（质量安全总监）逾期未确认：告知单位主要负责人和县级监管部门",
    "director_acknowledged": "登记单位已确认处置安排",
    "prepare_panel": "确定省中心会签专家（组织会签的专家及其指定的专家）",
}
