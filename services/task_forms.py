"""The form of a task as shown: the one function every reader of a task's form goes through."""
from __future__ import annotations

from sqlalchemy import select

from storage.models import HumanTask

from .context import Env


def task_form(env: Env, task: HumanTask) -> dict:
    """The task's form as the person sees it: its version's form (cached per version and element) with the
    row's own defaults and notice. A fresh dict: callers may change it."""
    return env.store.forms.shown(env.session, task.process_version_id, task.element_id, task.form_overlay)


def report_form_labels(env: Env, report_id: int) -> dict[str, dict[str, dict]]:
    """Per element of the report's tasks, the labels and option names of its own form fields. Where an
    element ran more than once, its newest task's version counts (an instance may have been migrated)."""
    stmt = (select(HumanTask.element_id, HumanTask.process_version_id).where(HumanTask.report_id == report_id)
            .order_by(HumanTask.created_at.desc(), HumanTask.id))
    labels: dict[str, dict[str, dict]] = {}
    for element_id, version_id in env.session.execute(stmt):
        if element_id not in labels:
            labels[element_id] = form_labels(env, version_id, element_id)
    return labels


def form_labels(env: Env, version_id: int, element_id: str) -> dict[str, dict]:
    """Field id → its label and option names in that element's form of that version."""
    form = env.store.forms.get(env.session, version_id, element_id)
    return {fld["id"]: {"label": fld.get("label") or fld["id"],
                        "options": {o["id"]: o["name"] for o in fld.get("options", [])}}
            for fld in form.get("fields", [])}
