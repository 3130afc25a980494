"""What each service-task topic writes into the task data, with sample values for the publish dry run.

A list is a list of samples: the dry run tries each of them (a diagram's gateways must cope with every
value a handler can really produce). tests/test_handler_outputs.py runs the real handlers and checks
that these are exactly the variables they set and that every value they produced is among the samples.
"""
from __future__ import annotations

DECLARED_OUTPUTS: dict[str, dict[str, object]] = {
    "register_report": {
        "tracking_no": "SX-2026-000001", "is_enterprise": [True, False], "entry_tier": ["county", "city", "province"],
        "report_kind": ["problem", "risk_hazard", "suggestion"],
        "domain": ["administrative_supervision", "safety_management", "production", "use", "maintenance",
                   "inspection_testing"],
        "equipment_category": "3000", "equipment_class": "3100", "equipment_variety": "3110",
        "equipment_type_code": "3110",
        "point_kind": ["supervision_agency", "inspection_institution", "controlled_user_unit",
                       "production_filling_unit"],
        "control_level": [1, 2, None], "point_tier": ["county", "city", "province"],
        # Three samples, not two: sample i takes point_kind[i % 4] and agency_entry[i % 3], so the supervision
        # agency (i = 0, 4) meets both "above" (i = 0, with point_tier county) and "same" (i = 4).
        "agency_entry": ["above", "same", "same"],
    },
    "notify_safety_director": {"safety_director_ids": [[1]]},
    "dispatch_guidance": {},
    "close_report": {"resolved_tier": ["county", "city", "province"]},
    "send_reminder": {},
    "mark_overdue": {"overdue": True},
    "director_overdue": {"director_ack": "overdue"},
    "director_acknowledged": {"director_ack": "acknowledged"},
    "prepare_panel": {"center_panel": [["center"]], "center_lead": "center"},
}
