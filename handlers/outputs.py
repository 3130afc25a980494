"""What each service-task topic writes into the task data, with sample values for the publish dry run.

A list is a list of samples: the dry run tries each of them (a diagram's gateways must cope with every
value a handler can really produce). tests/test_handler_outputs.py runs the real handlers and checks
that these are exactly the variables they set and that every value they produced is among the samples.
"""
from __future__ import annotations

DECLARED_OUTPUTS: dict[str, dict[str, object]] = {
    "register_report": {"entry_tier": ["county", "city", "province"], "is_enterprise": [True, False],
                        "tracking_no": "SX-2026-000001"},
    "notify_safety_director": {"safety_director_ids": [[1]]},
    "dispatch_guidance": {},
    "close_report": {"resolved_tier": ["county", "city", "province"]},
    "send_reminder": {},
    "mark_overdue": {"overdue": True, "decision": "escalate"},
}
