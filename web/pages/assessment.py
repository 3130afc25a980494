"""What the assessment task pages add to the shared task page: similar reports and measure templates."""
from __future__ import annotations

from services.mitigation_templates import templates_for

SIMILAR_STEPS = ("city_assessment", "center_assessment")  # steps where the assessor looks for duplicates
TEMPLATE_STEPS = ("center_assessment",)  # steps whose form has the 风险减缓措施 field


def assessment_extras(task, report) -> dict:
    """Template context for the task page: whether to show the similar panel, and the measure templates."""
    step = task.element_id
    templates = templates_for(report.equipment_category_code) if step in TEMPLATE_STEPS else []
    return {"similar_panel": step in SIMILAR_STEPS, "mitigation_templates": templates}
