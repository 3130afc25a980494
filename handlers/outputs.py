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
        # Sample i takes each list's value at i modulo its length; the orders below are chosen so that the six
        # samples reach every row of the shipped entry table's kinds of outcome (see the comment on agency_entry).
        "domain": ["use", "administrative_supervision", "safety_management", "production", "maintenance",
                   "inspection_testing"],
        "equipment_category": "3000", "equipment_class": "3100", "equipment_variety": "3110",
        "equipment_type_code": "3110",
        "point_kind": ["supervision_agency", "inspection_institution", "controlled_user_unit",
                       "production_filling_unit"],
        "control_level": [1, 2, None], "point_tier": ["county", "city", "province"],
        # The supervision agency (point_kind, i = 0 and 4) meets "above" at a county (i = 0, domain use) and at a
        # city (i = 4, maintenance), so a broken 上一级 row of an entry table fails the publish dry run; the other
        # samples still give every entry tier: 行政监管 at a city (i = 1) → province, a county unit (i = 3) →
        # county, suggestions (i = 2, 5) → center.
        "agency_entry": ["above", "same"],
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
