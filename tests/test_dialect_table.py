"""The dialect table is the single source: README agrees with it, and the validator follows it."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import dialect_table
from engine.validation import DiagramValidator
from handlers import HANDLERS
from storage.models import Role

README = Path(__file__).resolve().parent.parent / "README.md"
SEED = (Path(__file__).resolve().parent.parent / "processes" / "risk_disposal.bpmn").read_text(encoding="utf-8")


def test_readme_dialect_section_is_generated_from_the_table():
    text = README.read_text(encoding="utf-8")
    begin, end = text.index(dialect_table.BEGIN), text.index(dialect_table.END)
    assert text[begin + len(dialect_table.BEGIN):end].strip() == dialect_table.markdown().strip(), \
        "README is out of date: run `python -m engine.dialect_table --markdown`"


def test_write_readme_replaces_only_the_marked_section(tmp_path):
    target = tmp_path / "README.md"
    target.write_text(f"前言\n{dialect_table.BEGIN}\n旧表\n{dialect_table.END}\n后记\n", encoding="utf-8")
    dialect_table.write_readme(target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("前言\n") and text.endswith("后记\n") and "旧表" not in text
    assert "`bpmn:userTask`" in text and "`camunda:class`" in text


def test_every_check_named_in_the_table_is_described():
    for row in dialect_table.ELEMENTS.values():
        assert row.check in dialect_table.CHECKS, row
        assert all(check in dialect_table.CHECKS for check in row.attributes.values()), row
        assert row.text is None or row.text in dialect_table.CHECKS, row


def test_every_element_of_the_shipped_diagram_is_in_the_table():
    from lxml import etree

    names = {dialect_table.qualified(el.tag) for el in etree.fromstring(SEED.encode()).iter()
             if isinstance(el.tag, str)}
    drawing = {n for n in names if n.split(":")[0] in dialect_table.DRAWING_NAMESPACES}
    assert names - drawing <= set(dialect_table.ELEMENTS)


@pytest.mark.parametrize("name", ["bpmn:userTask", "bpmn:timeCycle", "camunda:formField"])
def test_an_element_removed_from_the_table_is_refused(monkeypatch, name):
    """The validator reads the table: drop a row and diagrams using it are refused."""
    validator = DiagramValidator(HANDLERS, [r.value for r in Role])
    monkeypatch.delitem(dialect_table.ELEMENTS, name)
    xml = SEED
    if name == "bpmn:timeCycle":
        xml = SEED.replace('<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P3D</bpmn:timeDuration>',
                           "<bpmn:timeCycle>R2/PT1H</bpmn:timeCycle>", 1)
    found = validator.validate(xml, 2 * 1024 * 1024)
    assert any(name in p.message for p in found), found
