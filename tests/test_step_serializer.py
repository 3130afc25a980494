"""The serializer's reused JSON of finished tasks (issue 15) writes exactly what a full conversion writes, on a
workflow kept in memory across steps (as the live cache keeps it), after a restore, and after a reset that
changes tasks already finished; the record of completed user tasks survives the round trip."""
from __future__ import annotations

import json
import zlib

import pytest
from SpiffWorkflow.util.task import TaskState

from engine import parse_bundle
from engine.runtime import completed_elements, set_completed_elements
from engine.serializer import FORMAT, _dump

from test_engine_paths import (
    CENTER, CHECK_OK, CITY, CONSOLIDATE, COUNTY_ESCALATE, DIAGRAM, PROVINCE, RECTIFY, TABLE, Harness,
)


@pytest.fixture(scope="module")
def bundle():
    return parse_bundle(DIAGRAM.read_text(encoding="utf-8"), decisions=(TABLE,))


class LiveHarness(Harness):
    """Like the engine step with a warm live cache: the same workflow object across steps, dumped each time."""

    templated = 0

    def _round_trip(self):
        self.check_dump()

    def check_dump(self):
        blob = self.serializer.dumps(self.workflow)
        written = json.loads(zlib.decompress(blob))
        full = self.serializer.converter.to_dict(self.workflow)
        full["format"] = FORMAT
        assert written == json.loads(json.dumps(full, default=str))
        assert self.serializer.dumps(self.workflow) == blob  # the reused texts give the same bytes
        plain = [t for t in self.workflow.tasks.values() if t.parent is not None and not t.data
                 and not t.internal_data and not t.has_state(TaskState.FINISHED_MASK)]
        for task in plain:  # the template writes the library's own bytes
            assert self.serializer._plain_text(task, tuple(task.parent.data)) == \
                _dump(self.serializer.registry.convert(task))
        self.templated += len(plain)
        return blob


def walk_escalation(h):
    h.complete("county_disposal", COUNTY_ESCALATE)
    h.complete("city_assessment", {**CITY, "decision": "escalate"})
    h.complete("center_select_panel", {"panel": ""})
    h.complete("center_assessment", CENTER)
    h.complete("center_consolidation", CONSOLIDATE)
    h.complete("province_decision", PROVINCE)
    h.complete("local_rectification", RECTIFY)


def test_reused_task_texts_equal_a_full_conversion_at_every_step(bundle):
    h = LiveHarness(bundle)
    walk_escalation(h)
    h.complete("city_rectification_check", CHECK_OK)
    h.complete("province_verification", {"decision": "close", "verification_opinion": "同意"})
    assert h.completed
    assert h.templated > 20  # the predicted tasks ahead were written from the template
    assert {"county_disposal", "province_verification"} <= completed_elements(h.workflow)


def test_a_restored_workflow_and_a_reset_serialize_like_a_full_conversion(bundle):
    h = LiveHarness(bundle)
    walk_escalation(h)
    restored = h.serializer.loads(h.check_dump(), bundle)
    assert completed_elements(restored) == completed_elements(h.workflow)
    h.workflow = restored
    h.check_dump()
    # going back to the county task changes tasks whose text was kept: they must be written anew
    county = next(t for t in h.workflow.get_tasks() if t.task_spec.bpmn_id == "county_disposal")
    h.workflow.reset_from_task_id(county.id)
    h.check_dump()
    h.complete("county_disposal", COUNTY_ESCALATE)
    assert h.open_elements() == ["city_assessment"]


def test_a_state_saved_before_the_record_restores_without_it(bundle):
    h = LiveHarness(bundle)
    set_completed_elements(h.workflow, None)
    restored = h.serializer.loads(h.check_dump(), bundle)
    assert completed_elements(restored) is None
    assert h.runtime.may_have_run(restored, "county_disposal")  # unknown: the answers are looked up
    fresh = LiveHarness(bundle)
    assert not fresh.runtime.may_have_run(fresh.workflow, "county_disposal")


def test_a_predicted_tasks_text_follows_its_parents_data_names(bundle):
    """The text of a task with no data of its own is reused; a name added to or removed from its parent's data
    (its delta lists the parent's names) writes it anew, a changed value does not need to."""
    h = LiveHarness(bundle)
    h.complete("county_disposal", COUNTY_ESCALATE)
    predicted = [t for t in h.workflow.get_tasks() if t.parent is not None and not t.data and not t.internal_data
                 and not t.has_state(TaskState.FINISHED_MASK)]
    assert predicted, "the shipped diagram has tasks ahead with no data of their own"
    h.check_dump()
    parent = next(t.parent for t in predicted if not t.parent.has_state(TaskState.FINISHED_MASK))
    parent.data["added_by_a_test"] = "值"
    h.check_dump()
    parent.data["added_by_a_test"] = "另一个值"
    h.check_dump()
    del parent.data["added_by_a_test"]
    h.check_dump()
