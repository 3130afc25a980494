"""The Chinese controls and the accessibility check are wired as the CSP and the asset rules require."""
from __future__ import annotations

import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
TEMPLATES = PROJECT / "web" / "templates"


def _templates() -> dict[str, str]:
    return {str(p.relative_to(TEMPLATES)): p.read_text(encoding="utf-8") for p in TEMPLATES.rglob("*.html")}


def test_no_template_uses_the_browsers_locale_date_input_or_links_axe():
    for name, text in _templates().items():
        assert 'type="date"' not in text, name  # Chromium shows its own mm/dd/yyyy
        assert "axe" not in text.lower(), name  # axe-core is injected by the browser tests only


def test_controls_are_static_files_loaded_by_every_page():
    base = _templates()["base.html"]
    for script in ("js/file-picker.js", "js/date-input.js"):
        assert f"filename='{script}'" in base and (PROJECT / "web" / "static" / script).exists()
    assert "filename='css/print.css') }}\" media=\"print\"" in base
    assert not re.search(r"<script>(?!\s*</script>)", base)  # script-src 'self': no inline code


def test_make_assets_copies_axe_core_from_npm():
    makefile = (PROJECT / "Makefile").read_text(encoding="utf-8")
    assert "cp node_modules/axe-core/axe.min.js $(VENDOR)/axe-core/" in makefile
    assert '"axe-core": "' in (PROJECT / "package.json").read_text(encoding="utf-8")


def test_file_inputs_for_attachments_use_the_picker():
    templates = _templates()
    for name, field in (("reports/new.html", "attachments"), ("_macros.html", "more_attachments")):
        assert re.search(rf'<input id="{field}" name="attachments" type="file" data-file-picker', templates[name]), name
