"""The special-equipment catalogue (种类 → 类别 → 品种) for cascading pickers."""
from __future__ import annotations

from flask import jsonify

from services.directory import equipment_tree
from web import env

from . import api
from .openapi import doc
from .responses import EquipmentTypeOut, page_of


@api.get("/equipment-types")
@doc("特种设备目录（种类、类别、品种）", response=page_of(EquipmentTypeOut, paged=False))
def list_equipment_types():
    """Every category, class and variety with its parent code (component categories are not equipment)."""
    items = equipment_tree(env())
    return jsonify({"items": items, "total": len(items)})
