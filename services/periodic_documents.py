"""Writing a periodic report's data as an official-style DOCX (python-docx) and an XLSX (openpyxl).

The DOCX charts are PNG images drawn by matplotlib (services.report_charts), each beside its table of
figures; the XLSX carries the same tables for people who chart them in Excel. Two DOCX are written from
the same data: the 签发 version under the centre's masthead (released only when a province officer signs
it, services.report_review) and the draft the reviewers read, marked 征求意见稿 and without the masthead.
"""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Font

from .report_charts import bar_chart
from .stats import DIMENSION_TITLES
from .wording import NON_PUNITIVE_NOTICE
from .xlsx_export import safe_row, xml_text

ISSUER = "陕西省特种设备风险监测及应急保障中心"
KIND_TITLE = {"monthly": "月度", "quarterly": "季度", "annual": "年度"}
ISSUE_NAMES = {"monthly": "月报", "quarterly": "季报", "annual": "年报"}
BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋", "宋体", "黑体"
ISSUE_DATE_PLACEHOLDER = "（签发日期）"
SIGNER_PLACEHOLDER = "签发人：（待签发）"
DRAFT_MARK = "征求意见稿（草稿，未经审核签发，不得对外发布）"
SECTION_NUMBERS = "一二三四五六七八九十"
NOTICE = f"说明：本报告按北京时间统计；{NON_PUNITIVE_NOTICE}；报送人身份信息不在本报告中出现。"


def _pct(part, whole) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def _rate(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def dimension_rows(data: dict, name: str) -> list[tuple[str, str, int]]:
    """(key, label, count) of one dimension, in display order, zero rows included."""
    labels = data["labels"][name]
    counts = data["summary"][name]
    return [(key, labels.get(key, key), n) for key, n in counts.items()]


def overview_text(data: dict) -> str:
    """The opening paragraph with the headline figures."""
    s, period = data["summary"], data["period"]
    kinds = "、".join(f"{label}{n}条" for _key, label, n in dimension_rows(data, "by_kind"))
    closed = s["by_status"].get("closed", 0)
    return (f"{period.title}，全省各监测点共报送特种设备风险信息{s['total']}条，其中{kinds}。"
            f"已办结{closed}条，办结率{_pct(closed, s['total'])}；研判为重大风险{s['by_risk_level'].get('major', 0)}条、"
            f"较大风险{s['by_risk_level'].get('significant', 0)}条；逾期{s['overdue']}条，逾期率{_rate(s['overdue_rate'])}；"
            f"已办结信息中按期办结率{_rate(s['on_time_rate'])}。")


# --- DOCX -------------------------------------------------------------------------------------------

def _font(run, name: str = BODY_FONT, size: float = 14, bold: bool = False, color: RGBColor | None = None):
    run.font.name, run.font.size, run.font.bold = name, Pt(size), bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if color is not None:
        run.font.color.rgb = color
    return run


def _para(doc, text: str = "", size: float = 14, font: str = BODY_FONT, bold: bool = False,
          align=None, color: RGBColor | None = None):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    _font(p.add_run(xml_text(text)), font, size, bold, color)
    return p


def _red_rule(paragraph) -> None:
    """The red line under an official document's masthead (a bottom border on the paragraph)."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)


def _table(doc, header: list[str], rows: list[list]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 11, True)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(xml_text(str(value))), BODY_FONT, 11)
    doc.add_paragraph()


class _Figures:
    """Numbered chart images 图1、图2 …"""

    def __init__(self, doc):
        self.doc, self.count = doc, 0

    def add(self, title: str, labels: list[str], values: list[int], **line) -> None:
        self.count += 1
        self.doc.add_picture(BytesIO(bar_chart(title, labels, values, **line)), width=Cm(15))
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _para(self.doc, f"图{self.count}  {title}", 12, HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)


class _Sections:
    """Numbered headings 一、二、三 …"""

    def __init__(self, doc):
        self.doc, self.count = doc, 0

    def add(self, title: str) -> None:
        self.count += 1
        _para(self.doc, f"{SECTION_NUMBERS[self.count - 1]}、{title}", 16, HEADING_FONT)


def _issue_number(period) -> str:
    """2026年第11期 (monthly), 2026年第4期 (quarterly), 2026年 (annual)."""
    year, month = period.date_from.year, period.date_from.month
    if period.kind == "annual":
        return f"{year}年"
    return f"{year}年第{month if period.kind == 'monthly' else (month - 1) // 3 + 1}期"


def _masthead(doc, data: dict, draft: bool) -> None:
    period = data["period"]
    if draft:
        _para(doc, DRAFT_MARK, 14, HEADING_FONT, True, WD_ALIGN_PARAGRAPH.CENTER, RGBColor(0xC0, 0x00, 0x00))
    else:
        head = _para(doc, ISSUER, 22, TITLE_FONT, True, WD_ALIGN_PARAGRAPH.CENTER, RGBColor(0xC0, 0x00, 0x00))
        _red_rule(head)
    _para(doc, f"特种设备风险监测{ISSUE_NAMES[period.kind]}  {_issue_number(period)}", 12, BODY_FONT,
          align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"陕西省特种设备风险监测{KIND_TITLE[period.kind]}分析报告", 22, TITLE_FONT, True,
          WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"（{period.title}）", 16, BODY_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)


def _dimension_tables(doc, data: dict, figures: _Figures) -> None:
    total = data["summary"]["total"]
    for index, name in enumerate(DIMENSION_TITLES, start=1):
        _para(doc, f"表{index}  {DIMENSION_TITLES[name]}统计", 12, HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
        _table(doc, ["项目", "数量（条）", "占比"],
               [[label, n, _pct(n, total)] for _key, label, n in dimension_rows(data, name)])
    rows = [(label, n) for _key, label, n in dimension_rows(data, "by_equipment_category") if n]
    if rows:
        figures.add("各设备种类报送数量", [label for label, _n in rows], [n for _label, n in rows])


def _region_and_time(doc, data: dict, sections: _Sections, figures: _Figures) -> None:
    sections.add("各地区情况")
    _table(doc, ["地区", "报送（条）", "已办结", "逾期", "重大风险", "办结率"],
           [[i["name"], i["total"], i["closed"], i["overdue"], i["major"], _rate(i["closed_rate"])]
            for i in data["drilldown"]["items"]])
    sections.add("办理时效")
    time = data["handling_time"]
    average = "—" if time["average_days"] is None else f"{time['average_days']}天"
    _para(doc, f"本期已办结{time['closed']}条，平均办理时长{average}。办理时长分布如下图：")
    figures.add("已办结信息办理时长分布", [b["label"] for b in time["buckets"]], [b["count"] for b in time["buckets"]])
    _table(doc, ["办理时长", "数量（条）"], [[b["label"], b["count"]] for b in time["buckets"]])
    offices = [o for o in data["offices"] if o["tasks"]][:10]
    if offices:
        _para(doc, "各单位办理时效（逾期率由高到低前10位）：")
        _table(doc, ["单位", "任务数", "按期办理", "逾期", "按期办理率", "逾期率"],
               [[o["office"], o["tasks"], o["on_time"], o["overdue"], _rate(o["on_time_rate"]),
                 _rate(o["overdue_rate"])] for o in offices])


def _trend(doc, data: dict, sections: _Sections, figures: _Figures) -> None:
    sections.add("月度趋势")
    months = data["trend"]
    if months:
        figures.add("各月报送与办结数量", [m["code"] for m in months], [m["total"] for m in months],
                    line=[m["closed"] for m in months], line_label="已办结（条）")
    _table(doc, ["月份", "报送（条）", "已办结", "逾期", "重大风险"],
           [[m["code"], m["total"], m["closed"], m["overdue"], m["major"]] for m in months])


def _risks_cases_tips(doc, data: dict, sections: _Sections) -> None:
    sections.add("重大风险")
    if data["major_risks"]:
        _table(doc, ["编号", "设备", "地区", "隐患等级", "办理状态", "概要"],
               [[r["tracking_no"], r["equipment"], r["division"], r["hazard_grade"], r["status"], r["title"]]
                for r in data["major_risks"]])
    else:
        _para(doc, "本期未研判出重大风险。")
    sections.add("典型案例")
    if not data["cases"]:
        _para(doc, "本期未发布典型案例。")
    for number, case in enumerate(data["cases"], start=1):
        _para(doc, f"案例{number}：{case['title']}", 14, HEADING_FONT)
        for line in case["write_up"].splitlines():
            if line.strip():
                _para(doc, line.strip())
    sections.add("工作建议")
    for number, tip in enumerate(data["recommendations"], start=1):
        _para(doc, f"（{number}）{tip}")


def write_docx(data: dict, path: Path, draft: bool = False) -> None:
    """The report in an official layout: masthead (or the draft mark), title, overview, tables, charts,
    risks, cases, tips; the 签发 version leaves the signer and the date to `sign_docx`."""
    doc = Document()
    _masthead(doc, data, draft)
    sections, figures = _Sections(doc), _Figures(doc)
    sections.add("总体情况")
    _para(doc, overview_text(data))
    sections.add("分类统计")
    _dimension_tables(doc, data, figures)
    _region_and_time(doc, data, sections, figures)
    _trend(doc, data, sections, figures)
    _risks_cases_tips(doc, data, sections)
    _para(doc)
    if draft:
        _para(doc, "（本稿经省风险监测及应急保障中心专家审核、省局签发后发布）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    else:
        _para(doc, ISSUER, align=WD_ALIGN_PARAGRAPH.RIGHT)
        _para(doc, ISSUE_DATE_PLACEHOLDER, align=WD_ALIGN_PARAGRAPH.RIGHT)
        _para(doc, SIGNER_PLACEHOLDER, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, NOTICE, 10.5)
    doc.core_properties.title = f"陕西省特种设备风险监测{KIND_TITLE[data['period'].kind]}分析报告（{data['period'].title}）"
    doc.core_properties.author = ISSUER
    doc.save(path)


def sign_docx(path: Path, signer: str, day) -> None:
    """签发: write the signer and the date into the 签发 version's placeholders."""
    doc = Document(str(path))
    for paragraph in doc.paragraphs:
        if paragraph.text == ISSUE_DATE_PLACEHOLDER:
            paragraph.runs[0].text = f"{day.year}年{day.month}月{day.day}日"
        elif paragraph.text == SIGNER_PLACEHOLDER:
            paragraph.runs[0].text = xml_text(f"签发人：{signer}")
    doc.save(str(path))


# --- XLSX -------------------------------------------------------------------------------------------

def _sheet(book, title: str, header: list[str], rows: list[list], first: bool = False):
    sheet = book.active if first else book.create_sheet()
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(row))
    sheet.column_dimensions["A"].width = 28
    return sheet


def write_xlsx(data: dict, path: Path) -> None:
    """The same tables as the DOCX, one sheet each, numbers as numbers."""
    s = data["summary"]
    book = Workbook()
    _sheet(book, "总体情况", ["指标", "数值"], [
        ["统计周期", data["period"].title], ["报送总数", s["total"]], ["逾期条数", s["overdue"]],
        ["逾期率", s["overdue_rate"]], ["已办结", s["closed"]], ["按期办结率", s["on_time_rate"]]], first=True)
    for name, title in DIMENSION_TITLES.items():
        _sheet(book, title.split("（")[0], ["代码", "项目", "数量"], [list(r) for r in dimension_rows(data, name)])
    _sheet(book, "各地区", ["区划代码", "地区", "报送", "已办结", "逾期", "重大风险"],
           [[i["code"], i["name"], i["total"], i["closed"], i["overdue"], i["major"]] for i in data["drilldown"]["items"]])
    _sheet(book, "办理时长", ["区间", "数量"], [[b["label"], b["count"]] for b in data["handling_time"]["buckets"]])
    _sheet(book, "月度趋势", ["月份", "报送", "已办结", "逾期", "重大风险"],
           [[m["code"], m["total"], m["closed"], m["overdue"], m["major"]] for m in data["trend"]])
    _sheet(book, "各单位时效", ["单位", "任务数", "已办", "按期办理", "逾期", "按期办理率", "逾期率"],
           [[o["office"], o["tasks"], o["completed"], o["on_time"], o["overdue"], o["on_time_rate"],
             o["overdue_rate"]] for o in data["offices"]])
    _sheet(book, "重大风险", ["编号", "设备", "地区", "隐患等级", "办理状态", "概要"],
           [[r["tracking_no"], r["equipment"], r["division"], r["hazard_grade"], r["status"], r["title"]]
            for r in data["major_risks"]])
    book.save(path)
