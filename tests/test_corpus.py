"""Real-looking diagrams from other tools (tests/corpus/, hand-made in the styles of Camunda Modeler 5,
bpmn.io and Signavio/ARIS exports): each is either accepted and then runs end to end through
POST /reports, or refused with a 422 whose details name the elements — never a 500."""
from __future__ import annotations

from pathlib import Path

import pytest
from owner_diagrams import upload
from sqlalchemy import select

from storage.models import ProcessInstance

CORPUS = Path(__file__).resolve().parent / "corpus"
COUNTY = "county.610113"
COUNTY_DATA = {"decision": "resolve", "measures": "已现场处置", "risk_level": "low", "quality_score": 4}

# file → ("run", [(user, element, data), ...]) or ("refuse", element ids that must be named, needle)
EXPECTED = {
    "camunda_modeler5.bpmn": ("run", [(COUNTY, "county_disposal", COUNTY_DATA)]),
    "bpmn_io_collaboration.bpmn": ("run", [(COUNTY, "county_disposal", {"measures": "已处置"})]),
    "owner_event_subprocesses.bpmn": ("run", [(COUNTY, "county_disposal", COUNTY_DATA)]),
    "camunda7_java_delegates.bpmn": ("refuse", ["start", "register", "review", "notify", "f4", "risk_disposal"],
                                     "Java"),
    "signavio_export.bpmn": ("refuse", ["sid-check", "sid-report", "sid-f3", "sid-process"], "FEEL"),
    "aris_doctype_after_4k.bpmn": ("refuse", [None], "DOCTYPE"),
}


def test_every_corpus_file_has_an_expectation():
    assert sorted(p.name for p in CORPUS.glob("*.bpmn")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_diagram_runs_or_is_refused_naming_elements(api, env, name):
    res = upload(api, (CORPUS / name).read_bytes(), name=name)
    expectation = EXPECTED[name]
    if expectation[0] == "refuse":
        assert res.status_code == 422, (res.status_code, res.get_data(as_text=True)[:500])
        details = res.get_json()["error"]["details"]
        named = {d["element_id"] for d in details}
        assert set(expectation[1]) <= named, details
        assert expectation[2] in " ".join(d["message"] for d in details)
        return
    assert res.status_code == 201, res.get_json()
    res = api.post(f"/process-versions/{res.get_json()['id']}/publish", "owner")
    assert res.status_code == 200, res.get_json()
    rid = api.submit()["id"]
    for user, element, data in expectation[1]:
        api.complete(user, rid, element, data)
    env.session.expire_all()
    instance = env.session.scalar(select(ProcessInstance).where(ProcessInstance.report_id == rid))
    assert instance.status.value == "completed", (instance.status, instance.error_element, instance.error_message)
