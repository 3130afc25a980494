"""What a workflow owner may use in a diagram: service topics with parameters, roles, form field types."""
from __future__ import annotations

from dataclasses import dataclass

from handlers import HANDLERS, TOPIC_DESCRIPTIONS, TOPIC_PARAMETERS
from storage.models import ROLE_LABELS, Role

FIELD_TYPE_LABELS = {"string": "文本", "long": "整数", "boolean": "是/否", "date": "日期", "enum": "选项"}


@dataclass(frozen=True)
class TopicInfo:
    """One service-task topic an owner can pick (camunda:topic)."""

    topic: str
    description: str
    parameters: dict[str, str]


def topics() -> list[TopicInfo]:
    """Every registered handler topic with its description and accepted input parameters."""
    return [TopicInfo(name, TOPIC_DESCRIPTIONS.get(name, ""), dict(TOPIC_PARAMETERS.get(name, {})))
            for name in sorted(HANDLERS)]


def candidate_groups() -> list[tuple[str, str]]:
    """(role id, Chinese label) for camunda:candidateGroups."""
    return [(role.value, ROLE_LABELS[role]) for role in Role]


def field_types() -> list[tuple[str, str]]:
    """(type id, Chinese label) for camunda:formField type."""
    return list(FIELD_TYPE_LABELS.items())


# Set by register_report (and the entry table) for every report; conditions and tables may use them.
DIAGRAM_VARIABLES = [
    ("report_kind", "报送类型", "problem（问题）| risk_hazard（风险隐患）| suggestion（意见建议）"),
    ("domain", "涉及环节", "administrative_supervision（行政监管）| safety_management | production | use | "
                          "maintenance | inspection_testing"),
    ("equipment_category", "设备种类代码", "如 3000（电梯）"),
    ("equipment_class", "设备类别代码", "如 3100（曳引与强制驱动电梯）"),
    ("equipment_variety", "设备品种代码", "如 3110；所选不是品种时为空"),
    ("equipment_type_code", "报送所选设备代码", "种类、类别或品种代码"),
    ("point_kind", "监测点类型", "supervision_agency | inspection_institution | controlled_user_unit | "
                               "production_filling_unit"),
    ("control_level", "管控级别", "1（一级）| 2（二级）| 空"),
    ("point_tier", "监测点所在层级", "county | city | province"),
    ("entry_tier", "进入层级（决策表 entry_routing 的输出）", "county | city | province | center（省中心汇总）"),
    ("is_enterprise", "是否企业报送", "True | False"),
    ("agency_entry", "监管部门报送员的报送进入层级（系统设置，管理员可改）", "same（本级，默认）| above（上一级）"),
    ("decision", "最近一次办理的结论", "各环节表单的“结论”选项"),
]


# What a form field may declare it records (表单字段 → 属性 → 名称 records、值); read by services/outcomes.py.
FIELD_RECORDS = [
    ("risk_level", "风险等级：记到报送上，用于按风险等级统计和重大风险清单（选项 major、significant、general、low）"),
    ("hazard_grade", "隐患等级：记到报送上，用于定期报告（选项 general、serious、major）"),
    ("quality_score", "信息质量评分：本级的评分（1～5分，每级一个），用于信息质量排名与表彰"),
    ("measures", "处置措施：记到报送上（最近一级的处置措施），报送详情与处置单显示，办结时告知报送人"),
    ("opinion", "办理意见：记到报送上（最近一级的办理意见），报送详情与处置单显示，办结时告知报送人（优先于处置措施）"),
]


def field_records() -> list[tuple[str, str]]:
    """(records value, Chinese meaning) a form field may declare; each at most once per form."""
    return list(FIELD_RECORDS)


def diagram_variables() -> list[tuple[str, str, str]]:
    """(variable, Chinese meaning, values) an owner can branch on."""
    return list(DIAGRAM_VARIABLES)
