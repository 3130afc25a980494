"""Rendering a 处置单 (services.report_sheet.Sheet) as an A4 PDF with reportlab, the CJK font embedded."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .cjk_font import find_cjk_font
from .report_sheet import Sheet, build_sheet

FONT = "RiskmonCJK"
WIDTH = A4[0] - 36 * mm
# Table cells default to Helvetica, a base-14 font the PDF would then list unembedded (even for empty cells):
# every table names the CJK font, so the embedded subset is the only font in the file.
# Tables split inside a row (splitInRow): a 20,000-character content or opinion is taller than a page, and a
# row that cannot split raises reportlab's LayoutError.
CELL_FONT = ("FONTNAME", (0, 0), (-1, -1), FONT)
GRID = TableStyle([CELL_FONT, ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                   ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2"))])


def _register_font() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    font = find_cjk_font()
    pdfmetrics.registerFont(TTFont(FONT, str(font.path), subfontIndex=font.index))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, wordWrap="CJK")
    return {"body": base,
            "platform": ParagraphStyle("platform", base, fontSize=12, alignment=TA_CENTER),
            "title": ParagraphStyle("title", base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4),
            "h2": ParagraphStyle("h2", base, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4),
            "notice": ParagraphStyle("notice", base, fontSize=10, textColor=colors.HexColor("#a00000"),
                                     borderColor=colors.HexColor("#a00000"), borderWidth=0.5, borderPadding=4,
                                     spaceBefore=6, spaceAfter=6),
            "small": ParagraphStyle("small", base, fontSize=9, leading=12, textColor=colors.HexColor("#444444"))}


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text or "—").replace("\n", "<br/>"), style)


def _pairs(rows: list[tuple[str, str]], style, columns: int = 2) -> Table:
    """Label/value pairs laid out `columns` pairs per line."""
    cells = [[_p(label, style), _p(value, style)] for label, value in rows]
    lines = []
    for start in range(0, len(cells), columns):
        line = [c for pair in cells[start:start + columns] for c in pair]
        lines.append(line + [""] * (2 * columns - len(line)))
    label_w = 27 * mm
    widths = [label_w, WIDTH / columns - label_w] * columns
    style_cmds = [CELL_FONT, ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    style_cmds += [("BACKGROUND", (c, 0), (c, -1), colors.HexColor("#f2f2f2")) for c in range(0, 2 * columns, 2)]
    return Table(lines, colWidths=widths, style=TableStyle(style_cmds), splitInRow=1)


def _opinion_blocks(sheet: Sheet, s: dict) -> list:
    if not sheet.opinions:
        return [_p("尚无办理意见。", s["body"])]
    blocks = []
    for number, op in enumerate(sheet.opinions, start=1):
        head = f"{number}. {op.tier + '·' if op.tier else ''}{op.step}　　办理人：{op.person}　　时间：{op.at}"
        rows = [[_p(label, s["body"]), _p(value, s["body"])] for label, value in op.fields] or [[_p("意见", s["body"]),
                                                                                                _p("—", s["body"])]]
        table = Table(rows, colWidths=[52 * mm, WIDTH - 52 * mm], style=GRID, splitInRow=1)
        blocks.append(KeepTogether([_p(head, s["h2"]), table]))
    return blocks


def _attachment_table(sheet: Sheet, s: dict):
    if not sheet.attachments:
        return _p("无附件。", s["body"])
    rows = [[_p(t, s["body"]) for t in ("文件名", "大小", "添加人", "添加时间")]]
    rows += [[_p(v, s["body"]) for v in row] for row in sheet.attachments]
    style = TableStyle([CELL_FONT, ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2"))])
    return Table(rows, colWidths=[WIDTH - 95 * mm, 20 * mm, 40 * mm, 35 * mm], style=style, repeatRows=1,
                 splitInRow=1)


def _footer(sheet: Sheet):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(18 * mm, 10 * mm, f"{sheet.platform}  {sheet.tracking_no}  打印人：{sheet.printed_by}  "
                                            f"打印时间：{sheet.printed_at}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"第 {doc.page} 页")
        canvas.restoreState()
    return draw


def render_sheet_pdf(sheet: Sheet) -> bytes:
    """The 处置单 as PDF bytes; FontUnavailable (503) when no CJK TrueType font is installed."""
    _register_font()
    s = _styles()
    story = [_p(sheet.platform, s["platform"]), _p(sheet.heading, s["title"]),
             _p(sheet.notice, s["notice"]), _pairs(sheet.header, s["body"]),
             _p("一、报送信息", s["h2"]), _pairs(sheet.report, s["body"]),
             Spacer(1, 3 * mm),
             _pairs([("标题", sheet.title), ("内容", sheet.content), *sheet.words], s["body"], columns=1),
             _p("二、各级办理意见", s["h2"]), *_opinion_blocks(sheet, s),
             _p("三、附件", s["h2"]), _attachment_table(sheet, s),
             Spacer(1, 4 * mm), _p(f"说明：本处置单{sheet.notice}。", s["small"])]
    out = io.BytesIO()
    footer = _footer(sheet)
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=18 * mm, title=f"处置单 {sheet.tracking_no}", author=sheet.platform,
                            initialFontName=FONT)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def report_sheet_pdf(env, user, report_id: int) -> tuple[bytes, str]:
    """The 处置单 of a report the person may read, and its file name (跟踪编号 included)."""
    find_cjk_font()  # say 503 before anything else when the machine cannot print Chinese
    sheet = build_sheet(env, user, report_id)
    return render_sheet_pdf(sheet), f"处置单-{sheet.tracking_no}.pdf"
