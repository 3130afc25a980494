"""Periodic risk-assessment reports (monthly, quarterly, annual) as DOCX and XLSX.

The numbers come from services.stats over the province for the period, so they equal what the
statistics pages show for the same from/to dates (Beijing time).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from storage.models import (
    HAZARD_GRADE_LABELS, STATUS_LABELS, Division, EquipmentType, Report, RiskLevel,
)

from .cases import anonymise, published_cases
from .context import Env
from .errors import Invalid
from .periodic_documents import write_docx, write_xlsx
from .stats import conditions, full_statistics, province_filter
from .stats_filter import MAX_DATE, MIN_DATE
from .wording import NON_PUNITIVE_NOTICE

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
MAJOR_RISK_LIMIT = 20


@dataclass(frozen=True)
class Period:
    """A reporting period: kind, label (2026-11, 2026-Q4, 2026) and inclusive Beijing dates."""

    kind: str
    label: str
    date_from: date
    date_to: date

    @property
    def title(self) -> str:
        """How the period reads in Chinese."""
        year = self.date_from.year
        if self.kind == "monthly":
            return f"{year}年{self.date_from.month}月"
        if self.kind == "quarterly":
            return f"{year}年{QUARTER_NAMES[(self.date_from.month - 1) // 3 + 1]}"
        return f"{year}年度"

    @property
    def file_stem(self) -> str:
        """Base name of the generated files."""
        return f"risk_report_{self.kind}_{self.label}"


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def parse_period(kind: str, label: str) -> Period:
    """`monthly 2026-11`, `quarterly 2026-Q4` (or 2026-4), `annual 2026` within the years statistics compute
    over (2000–2099); 422 otherwise."""
    label = (label or "").strip().upper()
    year_text = label[:4]
    if not (year_text.isdigit() and MIN_DATE.year <= int(year_text) <= MAX_DATE.year):
        raise Invalid(f"报告周期须在 {MIN_DATE.year} 至 {MAX_DATE.year} 年之间："
                      "月度如 2026-11，季度如 2026-Q4，年度如 2026")
    if kind == "monthly" and (m := re.fullmatch(r"(\d{4})-(\d{1,2})", label)) and 1 <= int(m[2]) <= 12:
        year, month = int(m[1]), int(m[2])
        return Period(kind, f"{year}-{month:02d}", date(year, month, 1), _month_end(year, month))
    if kind == "quarterly" and (m := re.fullmatch(r"(\d{4})-Q?([1-4])", label)):
        year, quarter = int(m[1]), int(m[2])
        return Period(kind, f"{year}-Q{quarter}", date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))
    if kind == "annual" and re.fullmatch(r"\d{4}", label):
        year = int(label)
        return Period(kind, str(year), date(year, 1, 1), date(year, 12, 31))
    raise Invalid("报告周期格式不正确：月度如 2026-11，季度如 2026-Q4，年度如 2026")


def previous_period(kind: str, today: date) -> Period:
    """The last complete period before `today` (what the scheduler generates)."""
    if kind == "monthly":
        last = today.replace(day=1) - timedelta(days=1)
        return parse_period(kind, f"{last.year}-{last.month}")
    if kind == "quarterly":
        quarter = (today.month - 1) // 3
        year = today.year if quarter else today.year - 1
        return parse_period(kind, f"{year}-Q{quarter or 4}")
    return parse_period(kind, str(today.year - 1))


def major_risks(session, f) -> list[dict]:
    """Reports assessed as major risks in the period, without reporter or unit names."""
    stmt = (select(Report.tracking_no, Report.title, EquipmentType.name, Division.name, Report.hazard_grade, Report.status)
            .select_from(Report)
            .join(EquipmentType, EquipmentType.code == Report.equipment_type_code)
            .join(Division, Division.code == Report.division_code)
            .where(*conditions(f), Report.risk_level == RiskLevel.MAJOR)
            .order_by(Report.submitted_at).limit(MAJOR_RISK_LIMIT))
    return [{"tracking_no": no or "—", "title": anonymise(title), "equipment": equipment, "division": division,
             "hazard_grade": HAZARD_GRADE_LABELS.get(grade, "—"), "status": STATUS_LABELS.get(status, "—")}
            for no, title, equipment, division, grade, status in session.execute(stmt)]


def recommendations(data: dict) -> list[str]:
    """Work recommendations derived from the period's figures."""
    summary, names = data["summary"], data["labels"]["by_equipment_category"]
    tips = []
    categories = sorted(((n, k) for k, n in summary["by_equipment_category"].items() if n), reverse=True)
    if categories:
        n, code = categories[0]
        tips.append(f"{names.get(code, code)}类信息最多（{n}条），建议组织对{names.get(code, code)}开展专项排查和技术帮扶。")
    major = summary["by_risk_level"].get("major", 0)
    if major:
        tips.append(f"本期研判重大风险{major}条，建议逐条明确责任单位和整改时限，实行挂牌督办、闭环销号。")
    if (summary["overdue_rate"] or 0) >= 0.05:
        tips.append(f"逾期办理比例为{_pct(summary['overdue_rate'])}，建议对逾期较多的单位通报提醒，压实属地处置责任。")
    regions = [i for i in data["drilldown"]["items"] if i["total"]]
    if regions:
        top = regions[0]
        tips.append(f"{top['name']}报送量最多（{top['total']}条），建议加强该地区风险会商和研判力量。")
    tips.append("持续做好信息质量评价，对报送及时、准确的监测点和报送员予以通报表扬；"
                f"{NON_PUNITIVE_NOTICE}。")
    return tips


def _pct(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def collect(session, period: Period) -> dict:
    """Everything a periodic report shows, computed once."""
    f = province_filter(session, period.date_from, period.date_to)
    data = full_statistics(session, f)
    cases = published_cases(session, f.start, f.end)
    data.update(period=period, major_risks=major_risks(session, f),
                cases=[{"title": c.title, "write_up": c.write_up} for c in cases])
    data["recommendations"] = recommendations(data)
    return data


def reports_dir(env: Env) -> Path:
    """instance/reports (next to the upload folder)."""
    return Path(env.settings.upload_dir).resolve().parent / "reports"


def draft_path(docx_path: Path) -> Path:
    """Where the reviewers' copy (征求意见稿, no masthead) of a 签发 DOCX is written."""
    return docx_path.with_name(docx_path.stem + ".draft.docx")


def generate(env: Env, kind: str, label: str, out_dir: Path | None = None) -> list[Path]:
    """Write the DOCX (签发 version, under the masthead), its draft copy and the XLSX of one period from the
    same figures; returns the DOCX and XLSX paths. Releasing them is services.report_review's business."""
    period = parse_period(kind, label)
    data = collect(env.session, period)
    out = out_dir or reports_dir(env)
    out.mkdir(parents=True, exist_ok=True)
    docx_path, xlsx_path = out / f"{period.file_stem}.docx", out / f"{period.file_stem}.xlsx"
    write_docx(data, docx_path)
    write_docx(data, draft_path(docx_path), draft=True)
    write_xlsx(data, xlsx_path)
    return [docx_path, xlsx_path]
