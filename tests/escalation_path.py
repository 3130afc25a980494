"""The shipped diagram's full escalation path, county to province and back to 销号: (username, element id, form
data) for each user task in order. Tests walk it through the API; bench/lifecycle.py times it."""
from __future__ import annotations

ESCALATION_PATH = [
    ("county.610113", "county_disposal", {"decision": "escalate", "measures": "现场核查", "risk_level": "major",
                                          "quality_score": 5}),
    ("city.610100", "city_assessment", {"decision": "escalate", "assessment_opinion": "需省级研判",
                                        "risk_level": "major", "quality_score": 4}),
    ("center", "center_select_panel", {"panel": ""}),
    ("center", "center_assessment", {"risk_level": "major", "hazard_grade": "major", "assessment_summary": "重大隐患",
                                     "mitigation_measures": "专项排查", "quality_score": 5}),
    ("center", "center_consolidation", {"decision": "to_province", "consolidated_opinion": "同意"}),
    ("province", "province_decision", {"decision": "guide", "guidance": "督促整改"}),
    ("county.610113", "local_rectification", {"rectification_result": "已整改", "rectified_on": "2026-11-28"}),
    ("city.610100", "city_rectification_check", {"decision": "confirm", "check_opinion": "属实"}),
    ("province", "province_verification", {"decision": "close", "verification_opinion": "同意"}),
]
