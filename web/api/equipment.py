"""The special-equipment catalogue (种类 → 类别 → 品种) for cascading pickers."""
from __future__ import annotations

from flask import jsonify

from services.directory import equipment_tree
from web import env

from . import api


@api.get("/equipment-types")
def list_equipment_types():
    """Every category, class and variety with its parent code (component categories are not equipment)."""
    items = equipment_tree(env())
    return jsonify({"items": items, "total": len(items)})
