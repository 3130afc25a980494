"""Hostile or broken diagrams are refused with a 422 that names the problem; nothing is stored."""
from __future__ import annotations

import pytest
from owner_diagrams import replace_once, seed_xml, upload, with_script_task

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p" name="&lol4;"/>
</bpmn:definitions>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p" name="&xxe;"/>
</bpmn:definitions>"""


def with_import_condition(xml: str) -> str:
    return replace_once(xml, '>decision == "consult"<', ">__import__('os').system('id') == 0<")


def with_unknown_topic(xml: str) -> str:
    return replace_once(xml, 'camunda:topic="dispatch_guidance"', 'camunda:topic="send_wechat_message"')


def with_unknown_group(xml: str) -> str:
    return replace_once(xml, 'camunda:candidateGroups="inspection_officer"', 'camunda:candidateGroups="mayor"')


def oversized(xml: str) -> bytes:
    padding = "<!-- " + "x" * (5 * 1024 * 1024) + " -->"  # over the 2 MB diagram limit, under the upload limit
    return replace_once(xml, "</bpmn:definitions>", padding + "</bpmn:definitions>").encode("utf-8")


CASES = [
    ("billion_laughs", lambda x: BILLION_LAUGHS, None, "ENTITY"),
    ("external_entity", lambda x: EXTERNAL_ENTITY, None, "ENTITY"),
    ("script_task", with_script_task, "dispatch_guidance", "脚本任务"),
    ("import_in_condition", with_import_condition, "flow_city_consult", "__import__"),
    ("unknown_topic", with_unknown_topic, "dispatch_guidance", "send_wechat_message"),
    ("unknown_group", with_unknown_group, "inspection_consultation", "mayor"),
    ("garbage", lambda x: b"\x00\x01PK\x03\x04 this is not xml at all", None, None),
    ("plain_text", lambda x: "就是一段文字，不是流程图", None, "XML"),
]


@pytest.mark.parametrize("name,make,element_id,needle", CASES, ids=[c[0] for c in CASES])
def test_hostile_upload_is_refused_naming_the_problem(api, name, make, element_id, needle):
    before = api.get("/process-versions", "owner").get_json()["total"]
    res = upload(api, make(seed_xml()))
    assert res.status_code == 422, (res.status_code, res.get_data(as_text=True)[:300])
    error = res.get_json()["error"]
    details = error.get("details") or []
    assert details, error
    text = error["message"] + " ".join(d["message"] for d in details)
    if needle:
        assert needle in text, text
    if element_id:
        assert element_id in [d["element_id"] for d in details], details
    assert "root:" not in text  # /etc/passwd never echoed back
    assert api.get("/process-versions", "owner").get_json()["total"] == before


def test_ten_megabyte_diagram_is_413_and_not_stored(api):
    before = api.get("/process-versions", "owner").get_json()["total"]
    res = upload(api, oversized(seed_xml()))
    assert res.status_code == 413, (res.status_code, res.get_data(as_text=True)[:300])
    assert "过大" in res.get_json()["error"]["message"]
    assert api.get("/process-versions", "owner").get_json()["total"] == before


def test_only_owners_may_upload(api):
    res = upload(api, seed_xml(), user="county.610113")
    assert res.status_code == 403
