"""Issue 16 item 3 at 1280 and 375 px: the 选择文件/拍照上传 picker and the 年-月-日 date field speak Chinese."""
from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 3000 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b" " * 2048


def _photo(name: str, body: bytes = JPEG, mime: str = "image/jpeg") -> dict:
    return {"name": name, "mimeType": mime, "buffer": body}


def _chosen(page, field: str) -> list[str]:
    """The names the real <input type=file> would submit."""
    return page.eval_on_selector(f"#{field}", "i => Array.from(i.files).map(f => f.name)")


@pytest.mark.parametrize("width", ["desk", "phone"])
def test_picker_lists_chosen_files_removes_one_and_submits_the_rest(open_session, width):
    session = open_session(width)
    session.login("reporter.unit")
    page = session.goto("/reports/new")
    picker = page.locator(".file-picker")
    assert picker.get_by_role("button", name="选择文件").is_visible()
    assert picker.get_by_role("button", name="拍照上传").is_visible()
    assert picker.locator(".fp-status").inner_text() == "未选择文件"
    native = page.locator("#attachments").bounding_box()
    assert native["width"] <= 1 and native["height"] <= 1  # the browser's "Choose Files / No file chosen" is not shown
    assert page.get_by_label("附件", exact=True).and_(page.locator("input[type=file]")).count() == 1  # still labelled
    page.set_input_files("#attachments", [_photo("电梯层门.jpg"), _photo("检验报告.pdf", PDF, "application/pdf")])
    page.set_input_files("#attachments", [_photo("门锁回路.jpg")])  # a second choice adds, it does not replace
    items = picker.locator(".fp-item")
    assert items.count() == 3
    assert picker.locator(".fp-status").inner_text() == "已选择 3 个文件"
    assert picker.locator(".fp-size").all_inner_texts() == ["（3 KB）", "（2 KB）", "（3 KB）"]
    assert _chosen(page, "attachments") == ["电梯层门.jpg", "检验报告.pdf", "门锁回路.jpg"]
    session.shot(f"file-picker-{width}")
    items.nth(1).get_by_role("button", name=re.compile("^移除")).click()
    assert items.count() == 2 and _chosen(page, "attachments") == ["电梯层门.jpg", "门锁回路.jpg"]
    assert page.evaluate("document.activeElement.textContent").startswith("移除")  # focus stays in the list
    with page.expect_file_chooser() as chooser:
        picker.get_by_role("button", name="拍照上传").click()
    assert chooser.value.element.get_attribute("capture") == "environment"
    chooser.value.set_files([_photo("现场拍照.jpg")])
    assert _chosen(page, "attachments") == ["电梯层门.jpg", "门锁回路.jpg", "现场拍照.jpg"]
    page.get_by_label("报送类型").select_option("problem")
    page.get_by_label("涉及环节").select_option("use")
    page.get_by_label("种类", exact=True).select_option(index=1)
    page.get_by_label("内容").fill("自动扶梯梯级缺损，已设置围挡。")
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r"/reports/\d+"))
    listed = page.locator("ul.attachments > li").all_inner_texts()
    assert len(listed) == 3 and not any("检验报告" in t for t in listed), listed


@pytest.mark.parametrize("width", ["desk", "phone"])
def test_picker_on_the_report_and_task_pages(open_session, api, width):
    report = api.submit("reporter.agency")
    task = api.task("county.610113", report["id"], "county_disposal")
    session = open_session(width)
    session.login("county.610113")
    for where, path in (("report", f"/reports/{report['id']}"), ("task", f"/tasks/{task['id']}")):
        page = session.goto(path)
        picker = page.locator(".file-picker")
        assert picker.get_by_role("group", name="补充附件").get_by_role("button", name="选择文件").is_visible()
        page.set_input_files("#more_attachments", [_photo(f"{where}-removed.jpg"), _photo(f"{where}-kept.jpg")])
        picker.locator(".fp-item").first.get_by_role("button", name=re.compile("^移除")).click()
        assert picker.locator(".fp-name").all_inner_texts() == [f"{where}-kept.jpg"]
        picker.locator(".fp-list").scroll_into_view_if_needed()
        session.shot(f"file-picker-{where}-{width}")
        page.get_by_role("button", name="上传", exact=True).click()
        page.wait_for_load_state()
        names = " ".join(page.locator("ul.attachments > li").all_inner_texts())
        assert f"{where}-kept.jpg" in names and f"{where}-removed" not in names, names


@pytest.mark.parametrize("width", ["desk", "phone"])
def test_date_field_shows_year_month_day_normalises_and_has_a_calendar(open_session, width):
    session = open_session(width)
    session.login("county.610113")
    page = session.goto("/tasks")
    field = page.get_by_label("报送日期从")
    assert field.get_attribute("type") == "text" and field.get_attribute("placeholder") == "年-月-日"
    assert field.get_attribute("inputmode") == "numeric"
    field.fill("2026/1/5")
    field.press("Tab")
    assert field.input_value() == "2026-01-05"
    field.fill("2026-02-30")
    field.press("Tab")
    assert field.evaluate("f => f.validationMessage") == "日期格式应为 年-月-日，例如 2026-11-01"
    field.fill("")
    page.get_by_role("button", name=re.compile(r"^日历\s*：选择报送日期至$")).click()
    popup = page.get_by_role("dialog", name="选择日期")
    assert re.fullmatch(r"\d{4}年\d{1,2}月", popup.locator(".date-title").inner_text())
    assert popup.locator("th").all_inner_texts() == ["日", "一", "二", "三", "四", "五", "六"]
    session.shot(f"date-calendar-{width}")
    month = popup.locator(".date-title").inner_text()
    page.keyboard.press("PageDown")
    assert popup.locator(".date-title").inner_text() != month
    popup.locator(".date-day", has_text=re.compile(r"^15日")).click()
    assert re.fullmatch(r"\d{4}-\d{2}-15", page.get_by_label("报送日期至").input_value())
    assert popup.is_hidden()
    page.get_by_role("button", name="筛选").click()
    assert re.search(r"to=\d{4}-\d{2}-15", page.url)


def test_server_refuses_a_typed_date_in_chinese_beside_the_field(open_session):
    session = open_session("phone")
    session.login("county.610113")
    page = session.goto("/stats?from=2026-13-01")
    assert page.locator("#f_from-err").inner_text().startswith("没有这一天：2026-13-01")
    assert page.get_by_label("开始日期").get_attribute("aria-invalid") == "true"
    session.shot("date-server-error-phone")
