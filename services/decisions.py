"""Decision tables (DMN) of process versions: read them, and save an edited table as a new draft."""
from __future__ import annotations

from sqlalchemy import select

from storage.models import DecisionTable, ProcessVersion

from .context import Env
from .errors import Invalid, NotFound
from .processes import create_draft, decision_tables_for_draft, validate_diagram

NEW_TABLE_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="Definitions_{id}" name="{name}" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="{id}" name="{name}">
    <decisionTable id="DecisionTable_{id}" hitPolicy="UNIQUE">
      <input id="Input_1" label="输入">
        <inputExpression id="InputExpression_1" typeRef="string"><text>entry_tier</text></inputExpression>
      </input>
      <output id="Output_1" label="输出" name="result" typeRef="string" />
      <rule id="Rule_1">
        <inputEntry id="UnaryTests_1"><text>-</text></inputEntry>
        <outputEntry id="LiteralExpression_1"><text>"P7D"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="DMNDiagram_{id}">
      <dmndi:DMNShape id="DMNShape_{id}" dmnElementRef="{id}">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
"""


def decision_tables(env: Env, version_id: int) -> list[DecisionTable]:
    """The version's decision tables by decision id."""
    stmt = select(DecisionTable).where(DecisionTable.process_version_id == version_id)
    return list(env.session.scalars(stmt.order_by(DecisionTable.decision_id)))


def tables_by_version(env: Env) -> dict[int, list[DecisionTable]]:
    """Every version's decision tables (for the version list)."""
    found: dict[int, list[DecisionTable]] = {}
    for table in env.session.scalars(select(DecisionTable).order_by(DecisionTable.decision_id)):
        found.setdefault(table.process_version_id, []).append(table)
    return found


def decision_table(env: Env, version_id: int, decision_id: str) -> DecisionTable:
    """One table of a version, or 404."""
    table = env.session.scalar(select(DecisionTable).where(
        DecisionTable.process_version_id == version_id, DecisionTable.decision_id == decision_id))
    if table is None:
        raise NotFound("决策表不存在")
    return table


def new_table_xml(decision_id: str, name: str) -> str:
    """A one-rule starting table for the DMN editor."""
    if not decision_id.isidentifier():
        raise Invalid("决策表标识须为字母开头的标识符（如 county_deadline）")
    safe_name = (name or decision_id).replace("&", "＆").replace("<", "＜").replace('"', "“")[:100]
    return NEW_TABLE_TEMPLATE.format(id=decision_id, name=safe_name)


def save_decision(env: Env, version_id: int, dmn_xml: str, actor_id: int | None = None,
                  note: str | None = None):
    """A new draft: the version's diagram and tables, with this table added or replacing its namesake."""
    base = env.session.get(ProcessVersion, version_id)
    if base is None:
        raise NotFound("流程版本不存在")
    return create_draft(env, base.bpmn_xml, actor_id, note, decisions=[dmn_xml], base_version_id=base.id)


def validate_with_tables(env: Env, xml: str, base_version_id: int | None = None):
    """Problems of a diagram as the modeler has it, with the decision tables it would be saved with."""
    tables = decision_tables_for_draft(env, xml, (), base_version_id)
    return validate_diagram(env, xml, list(tables.values()))
