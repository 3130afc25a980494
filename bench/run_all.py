"""Run every benchmark in turn (`make bench`)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in ("lifecycle.py", "inbox.py", "stats_summary.py", "stuck_view.py", "http_submit.py", "outbox_drain.py",
               "calendar_change.py"):
    if (HERE / script).exists():
        print(f"== {script}", flush=True)
        subprocess.run([sys.executable, str(HERE / script)], check=True)
