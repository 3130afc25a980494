"""The typical case library: the province turns closed reports into anonymised cases; supervisors read them."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select

from storage.database import begin_write
from storage.models import (
    EquipmentType, MonitoringPoint, Report, ReportKind, ReportStatus, TypicalCase, User, utcnow,
)
from storage.repositories import count

from .context import Env
from .directory import ROOT_LEVELS, equipment_tree, subtree_codes
from .errors import Conflict, Forbidden, Invalid, NotFound

EDITOR_ROLES = ("province_officer", "center_expert")
READER_ROLES = EDITOR_ROLES + ("county_officer", "city_officer", "inspection_officer", "admin")
WRITE_UP_MAX = 20_000

# Identifying details a write-up must not carry (reports serve assistance only, never penalties).
_PATTERNS = [
    (re.compile(r"1[3-9]\d{9}"), "（电话已隐去）"),
    (re.compile(r"0\d{2,3}-?\d{7,8}"), "（电话已隐去）"),
    (re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}"), "（代码已隐去）"),
    (re.compile(r"\d{17}[\dXx]"), "（证件号已隐去）"),
    (re.compile(r"[\u4e00-\u9fa5A-Za-z0-9（）()]{2,30}?(有限责任公司|股份有限公司|有限公司|公司)"), "某公司"),
    (re.compile(r"(联系人|负责人|报送人)[:：]?[\u4e00-\u9fa5]{2,3}(?=[，。；、\s(（]|$)"), r"\1（已隐去）"),
    (re.compile(r"[\u4e00-\u9fa5](师傅|经理|主任|站长|科长)"), r"某\1"),
]


@dataclass
class CaseInput:
    """What the province edits."""

    title: str
    write_up: str
    published: bool = False


def anonymise(text: str, extra_names: list[str] | None = None) -> str:
    """Best-effort removal of names, phone numbers and codes; the editor still reviews the result."""
    for name in sorted(filter(None, extra_names or []), key=len, reverse=True):
        text = text.replace(name, "某单位")
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _require(user: User, roles: tuple[str, ...], message: str) -> None:
    if not user.has_role(*roles):
        raise Forbidden(message)


def draft_for(env: Env, user: User, report_id: int) -> CaseInput:
    """A first anonymised draft of the write-up from a closed report."""
    _require(user, EDITOR_ROLES, "只有省局可以编写典型案例")
    report = _closed_report(env, report_id)
    point = env.session.get(MonitoringPoint, report.monitoring_point_id)
    names = [point.name if point else None, point.responsible_person if point else None]
    body = f"【基本情况】\n{report.content}\n\n【处置结果】\n{report.outcome or '（请填写处置过程与结果）'}\n\n【经验启示】\n"
    return CaseInput(title=anonymise(report.title, names), write_up=anonymise(body, names))


def _closed_report(env: Env, report_id: int) -> Report:
    report = env.session.get(Report, report_id)
    if report is None:
        raise NotFound("报送信息不存在")
    if report.status != ReportStatus.CLOSED:
        raise Conflict("只有已办结的报送信息才能列为典型案例")
    return report


def _validate(data: CaseInput) -> None:
    if not data.title.strip():
        raise Invalid("案例标题不能为空")
    if len(data.title) > 200:
        raise Invalid("案例标题不能超过 200 个字符")
    if not data.write_up.strip():
        raise Invalid("案例内容不能为空")
    if len(data.write_up) > WRITE_UP_MAX:
        raise Invalid(f"案例内容不能超过 {WRITE_UP_MAX} 个字符")


def mark_typical(env: Env, user: User, report_id: int, data: CaseInput) -> TypicalCase:
    """The province marks a closed report as a typical case with its anonymised write-up."""
    _require(user, EDITOR_ROLES, "只有省局可以将报送信息列为典型案例")
    _validate(data)
    begin_write(env.session)
    report = _closed_report(env, report_id)
    if env.session.scalar(select(TypicalCase.id).where(TypicalCase.report_id == report.id)) is not None:
        raise Conflict("该报送信息已列为典型案例")
    case_ = TypicalCase(report_id=report.id, title=data.title.strip(), write_up=data.write_up.strip(),
                        equipment_type_code=report.equipment_type_code,
                        equipment_category_code=report.equipment_category_code, kind=report.kind,
                        risk_level=report.risk_level, published=data.published, created_by_id=user.id,
                        created_at=utcnow(), updated_at=utcnow())
    env.session.add(case_)
    env.session.commit()
    return case_


def update_case(env: Env, user: User, case_id: int, data: CaseInput) -> TypicalCase:
    """Edit the write-up, title or publication of a case."""
    _require(user, EDITOR_ROLES, "只有省局可以编辑典型案例")
    _validate(data)
    begin_write(env.session)
    case_ = env.session.get(TypicalCase, case_id)
    if case_ is None:
        raise NotFound("典型案例不存在")
    case_.title, case_.write_up, case_.published = data.title.strip(), data.write_up.strip(), data.published
    case_.updated_by_id, case_.updated_at = user.id, utcnow()
    env.session.commit()
    return case_


def get_case(env: Env, user: User, case_id: int) -> TypicalCase:
    """One case; unpublished drafts only for editors."""
    _require(user, READER_ROLES, "典型案例库仅向监管人员开放")
    case_ = env.session.get(TypicalCase, case_id)
    if case_ is None or (not case_.published and not user.has_role(*EDITOR_ROLES)):
        raise NotFound("典型案例不存在")
    return case_


def search_cases(env: Env, user: User, equipment: str | None = None, kind: str | None = None,
                 q: str | None = None, page: int = 1, per_page: int = 20) -> tuple[list[TypicalCase], int]:
    """Cases by equipment type (a category, class or variety code matches everything below it), kind, words."""
    _require(user, READER_ROLES, "典型案例库仅向监管人员开放")
    stmt = select(TypicalCase)
    if not user.has_role(*EDITOR_ROLES):
        stmt = stmt.where(TypicalCase.published.is_(True))
    if equipment:
        codes = subtree_codes(env, equipment) if env.session.get(EquipmentType, equipment) is not None else []
        if not codes:
            raise Invalid("设备种类或类别不在特种设备目录中")
        stmt = stmt.where(TypicalCase.equipment_type_code.in_(codes))
    if kind:
        if kind not in {k.value for k in ReportKind}:
            raise Invalid("报送类型不正确")
        stmt = stmt.where(TypicalCase.kind == kind)
    if q:
        stmt = stmt.where(or_(TypicalCase.title.contains(q), TypicalCase.write_up.contains(q)))
    total = count(env.session, stmt)
    rows = env.session.scalars(stmt.order_by(TypicalCase.id.desc()).limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def equipment_choices(env: Env) -> list[dict]:
    """种类 and 类别 rows for the search form, in the catalogue's order (安全附件 lists its 品种 directly)."""
    tree = equipment_tree(env)
    roots = {row["code"] for row in tree if row["level"] in ROOT_LEVELS}
    return [row for row in tree if row["code"] in roots or row["parent"] in roots]


def case_for_report(env: Env, report_id: int) -> TypicalCase | None:
    """The case made from a report, if any."""
    return env.session.scalar(select(TypicalCase).where(TypicalCase.report_id == report_id))


def published_cases(session, start=None, end=None, limit: int = 5) -> list[TypicalCase]:
    """Published cases, newest first, optionally created within [start, end) (for periodic reports)."""
    stmt = select(TypicalCase).where(TypicalCase.published.is_(True))
    if start is not None:
        stmt = stmt.where(TypicalCase.created_at >= start)
    if end is not None:
        stmt = stmt.where(TypicalCase.created_at < end)
    return list(session.scalars(stmt.order_by(TypicalCase.created_at.desc()).limit(limit)))
