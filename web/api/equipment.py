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
    """The 2014 catalogue in statutory order (8 种类, then 压力管道元件 and 安全附件), each row after its parent."""
    items = equipment_tree(env())
    return jsonify({"items": items, "total": len(items)})
