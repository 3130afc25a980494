"""Report submissions per second over HTTP: gunicorn + PostgreSQL on this machine (goal 500/s).

Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/riskmon_bench, created
if missing — the database is dropped and re-created, name your own). Starts gunicorn with WORKERS sync workers on
loopback (THREADS > 1: gthread workers with that many threads, as `make serve` runs them), signs in once, then CLIENTS threads POST /api/v1/reports with keep-alive connections for DURATION
seconds (at most 30). With LOADGEN=wrk the load comes from `wrk` in its own process instead (`bench/submit.lua`;
`apt-get install wrk`). Client and server share the two cores.
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, machine  # noqa: E402

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/riskmon_bench")
WORKERS = int(os.environ.get("WORKERS", "2"))
THREADS = int(os.environ.get("THREADS", "1"))  # > 1: gthread workers (keep-alive, overlapping database waits)
CLIENTS = int(os.environ.get("CLIENTS", "16"))
DURATION = min(30.0, float(os.environ.get("DURATION", "20")))
LOADGEN = os.environ.get("LOADGEN", "threads")
BODY = json.dumps({"kind": "risk_hazard", "domain": "use", "equipment_type_code": "3110", "title": "压测报送",
                   "content": "电梯层门门锁回路被短接，轿厢在层门未关闭时仍能启动。"}).encode()


def _prepare_database() -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/postgres",
                          isolation_level="AUTOCOMMIT")
    name = URL.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    env = dict(os.environ, DATABASE_URL=URL)
    subprocess.run([str(ROOT / ".venv/bin/riskmon"), "seed-demo", "--no-reports"], env=env, check=True,
                   capture_output=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _token(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/api/v1/auth/token", json.dumps({"username": "reporter.agency", "password": "Demo#2026"}),
                 {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())["token"]


def _client(port: int, token: str, stop: float, latencies: list, errors: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    while time.monotonic() < stop:
        start = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/reports", BODY, headers)
            res = conn.getresponse()
            res.read()
            (latencies if res.status == 201 else errors).append(time.perf_counter() - start)
        except (OSError, http.client.HTTPException):
            errors.append(0.0)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def _wrk(port: int, token: str, server_pid: int) -> None:
    """The load from wrk (its own process, loopback only), bounded to DURATION seconds; then the CPU time the
    gunicorn workers and this database's PostgreSQL backends spent per submission (a figure that a busy shared
    machine inflates much less than throughput and latency)."""
    print(f"machine: {machine()}; load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"gunicorn {_workers()}, PostgreSQL, wrk 1 thread {CLIENTS} connections, {DURATION:.0f} s")
    _warm_up(port, token)
    workers, backends = _cpu_by_pid(_children(server_pid)), _cpu_by_pid(_backend_pids())
    out = subprocess.run(["wrk", "-t1", f"-c{CLIENTS}", f"-d{int(DURATION)}s", "--timeout", "10s",
                          "-s", str(ROOT / "bench" / "submit.lua"), f"http://127.0.0.1:{port}/api/v1/reports"],
                         env=dict(os.environ, RISKMON_TOKEN=token), check=True, timeout=DURATION + 30,
                         capture_output=True, text=True).stdout
    worker_cpu = _cpu_spent(workers, _cpu_by_pid(_children(server_pid)))
    backend_cpu = _cpu_spent(backends, _cpu_by_pid(_backend_pids()))
    print(out, end="")
    done = [line for line in out.splitlines() if line.startswith("wrk: ")]
    requests = int(done[0].split()[1]) if done else 0
    if requests:
        print(f"CPU per submission: {worker_cpu / requests * 1000:.1f} ms gunicorn workers + "
              f"{backend_cpu / requests * 1000:.1f} ms PostgreSQL backends")


def _warm_up(port: int, token: str) -> None:
    """A few submissions on parallel connections first, so that every worker has parsed the diagram and filled
    its caches before the measured run."""
    warm: list[float] = []
    threads = [threading.Thread(target=_client, args=(port, token, time.monotonic() + 2.0, warm, warm))
               for _ in range(WORKERS * max(THREADS, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _backend_pids() -> list[int]:
    import psycopg

    with psycopg.connect(URL, autocommit=True) as conn:
        return [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]


def _cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each process (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def _cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def _workers() -> str:
    return f"{WORKERS} sync workers" if THREADS <= 1 else f"{WORKERS} gthread workers x {THREADS} threads"


def main() -> None:
    _prepare_database()
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=URL, RUN_SCHEDULER="0")
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "--workers", str(WORKERS), "--threads", str(THREADS),
                               "--bind",
                               f"127.0.0.1:{port}", "--log-level", "warning", "web:create_app()"],
                              env=env, cwd=ROOT)
    try:
        for _ in range(100):
            try:
                token = _token(port)
                break
            except (OSError, KeyError, ValueError):
                time.sleep(0.3)
        if LOADGEN == "wrk":
            _wrk(port, token, server.pid)
            return
        stop = time.monotonic() + DURATION
        latencies: list[float] = []
        errors: list[float] = []
        threads = [threading.Thread(target=_client, args=(port, token, stop, latencies, errors))
                   for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    ordered = sorted(latencies)
    print(f"machine: {machine()}")
    print(f"gunicorn {_workers()}, PostgreSQL, {CLIENTS} keep-alive client threads, {DURATION:.0f} s")
    print(f"submissions: {len(latencies)} ok, {len(errors)} failed -> {len(latencies) / DURATION:.0f} per second "
          f"(goal 500/s)")
    if ordered:
        print(f"latency: median {statistics.median(ordered) * 1000:.1f} ms, "
              f"p95 {ordered[int(len(ordered) * 0.95) - 1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
