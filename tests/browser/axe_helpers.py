"""axe-core in Playwright: inject the npm bundle (served from /static/vendor, never linked by a template) and run it."""
from __future__ import annotations

from pathlib import Path

AXE_URL = "/static/vendor/axe-core/axe.min.js"
AXE_FILE = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
# The pages wait for these before axe looks (diagram viewers draw after load).
READY = {"/processes/modeler": "#modeler-app[data-ready='1']", "/admin/instances/": "#admin-diagram[data-ready='true']",
         "/tasks/": "#diagram[data-ready='1']", "/reports/": "#diagram[data-ready='1']"}

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' → ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))}));
}"""


def axe_violations(page, impacts=BLOCKING) -> list[dict]:
    """The page's axe violations of the given impacts (the bundle is added as a same-origin script under the CSP)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in impacts]


def wait_ready(page, path: str) -> None:
    """Wait until the page has drawn what its scripts draw (diagrams), then until the network is quiet."""
    for marker, selector in READY.items():
        if path.startswith(marker) and page.locator(selector.split("[")[0]).count():
            page.wait_for_selector(selector)
    page.wait_for_load_state("networkidle")
