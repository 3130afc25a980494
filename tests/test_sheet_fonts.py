"""The 处置单 PDF references only the CJK font it embeds: no unembedded base-14 font (Helvetica)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

COUNTY = "county.610113"


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils (pdffonts) is not installed")
def test_the_sheet_lists_only_embedded_fonts(api, tmp_path):
    """No base-14 font (Helvetica for table cells) is referenced unembedded: only the CJK subset is listed."""
    rid = api.submit(user="reporter.unit")["id"]
    api.complete(COUNTY, rid, "county_disposal", {"decision": "escalate", "measures": "现场核查",
                                                  "risk_level": "major", "quality_score": 5})
    for user in ("province", "director.unit"):
        path = tmp_path / f"{user}.pdf"
        path.write_bytes(api.get(f"/reports/{rid}/sheet.pdf", user).data)
        listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
        fonts = listing.splitlines()[2:]
        assert fonts, listing
        for line in fonts:
            columns = line.split()
            assert columns[-5] == "yes", listing  # emb column (name, type…, encoding, emb, sub, uni, id, gen)
        assert "Helvetica" not in listing