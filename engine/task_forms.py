"""A task's form: the static part from the parsed spec of its version, the per-instance part from its row.

The fields, labels, types, options and properties of a user task's form never change within a process
version, so they are read from the cached spec by (version id, element id) instead of being copied into
every `human_task` row. A row keeps only what is particular to the instance (`form_overlay`): the previous
round's answers offered as defaults and the notice shown above the form (the reason of a 退回 …).
"""
from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable

from .form_prefill import NOT_CARRIED
from .runtime import form_to_dict
from .specs import SpecBundle

OVERLAY_KEYS = ("defaults", "notice", "legacy_records")


def spec_form(bundle: SpecBundle, element_id: str) -> dict:
    """The form the element declares in this bundle ({"fields": []} when it has none or is unknown)."""
    for spec in _all_task_specs(bundle):
        if getattr(spec, "bpmn_id", None) == element_id and getattr(spec, "manual", False):
            return form_to_dict(getattr(spec, "form", None))
    return {"fields": []}


def _all_task_specs(bundle: SpecBundle) -> Iterable:
    yield from bundle.spec.task_specs.values()
    for sub in (bundle.subprocess_specs or {}).values():
        yield from sub.task_specs.values()


def overlay_of(form: dict, answers: dict) -> dict | None:
    """The per-instance part of a new task's form: the notice and the previous round's answers to its own
    fields (the routing choice is chosen afresh); None when there is nothing particular."""
    overlay: dict = {}
    field_ids = {fld["id"] for fld in form.get("fields", [])}
    defaults = {fid: value for fid, value in (answers or {}).items()
                if fid in field_ids and fid not in NOT_CARRIED and value not in (None, "")}
    if defaults:
        overlay["defaults"] = defaults
    if form.get("notice"):
        overlay["notice"] = form["notice"]
    return overlay or None


def shown_form(static: dict, overlay: dict | None) -> dict:
    """The form as the person sees it: a copy of the spec form with the row's defaults and notice applied."""
    form = {**static, "fields": [_copy_field(fld) for fld in static.get("fields", [])]}
    overlay = overlay or {}
    defaults = overlay.get("defaults") or {}
    for fld in form.get("fields", []):
        if fld["id"] in defaults:
            fld["default"] = defaults[fld["id"]]
        if overlay.get("legacy_records"):
            # Tasks opened before fields declared `records` keep the meaning their ids had (services/outcomes).
            fld.pop("records", None)
    if overlay.get("notice"):
        form["notice"] = overlay["notice"]
    return form


def _copy_field(fld: dict) -> dict:
    """A field of form_to_dict's shape copied deeply enough that no caller can change the cached one
    (a tenth of copy.deepcopy's time: an inbox page copies fifty forms)."""
    field = dict(fld)
    for key, value in fld.items():
        if isinstance(value, dict):
            field[key] = _copy_flat(value)
        elif isinstance(value, list):
            field[key] = [_copy_flat(item) if isinstance(item, dict) else copy.deepcopy(item) for item in value]
    return field


def _copy_flat(value: dict) -> dict:
    return {k: copy.deepcopy(v) if isinstance(v, (dict, list)) else v for k, v in value.items()}


class FormCache:
    """Static forms by (process version id, element id); a version never changes once stored, so an entry
    never goes stale. Filled from the spec cache, so a list of tasks parses nothing per row."""

    def __init__(self, bundle_for: Callable, max_entries: int = 4096):
        self._bundle_for = bundle_for
        self._forms: dict[tuple[int, str], dict] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, session, version_id: int, element_id: str) -> dict:
        """The static form of the element in that version (never mutate it: use `shown_form`)."""
        key = (version_id, element_id)
        form = self._forms.get(key)
        if form is None:
            form = spec_form(self._bundle_for(session, version_id), element_id)
            with self._lock:
                if len(self._forms) >= self._max:
                    self._forms.pop(next(iter(self._forms)))
                self._forms[key] = form
        return form

    def shown(self, session, version_id: int, element_id: str, overlay: dict | None) -> dict:
        """The form of one task as shown: static form merged with the row's per-instance part."""
        return shown_form(self.get(session, version_id, element_id), overlay)
