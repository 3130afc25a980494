"""Outbox drain rate: N queued webhook notices delivered to a local gateway that answers after a delay.

    .venv/bin/python bench/outbox_drain.py [--messages 3000] [--latency-ms 20] [--database-url URL]

Prints messages per second and checks exactly-once marking: every row is `sent` after one attempt and the
gateway saw every idempotency key exactly once. Without --database-url a fresh SQLite file is used.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, make_app  # noqa: E402


class Gateway:
    """A local webhook receiver that sleeps `latency` per request, like a real SMS/WeChat gateway."""

    def __init__(self, latency: float):
        self.keys: Counter = Counter()
        lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(latency)
                with lock:
                    gateway.keys[self.headers["Idempotency-Key"]] += 1
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # the default backlog (5) resets connections when 16 arrive at once

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()


def queue_messages(n: int) -> None:
    from storage.models import OutboxChannel, OutboxMessage, OutboxStatus, utcnow
    from web.extensions import db

    now = utcnow()
    rows = []
    for i in range(n):
        key = f"webhook-{uuid.uuid4().hex}"
        rows.append(dict(channel=OutboxChannel.WEBHOOK, recipient="13800000000", subject=f"新的待办 {i}",
                         body="请及时处理", payload={"idempotency_key": key, "title": f"新的待办 {i}"},
                         idempotency_key=key, status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now,
                         created_at=now))
    db.session.execute(OutboxMessage.__table__.insert(), rows)
    db.session.commit()


def verify(gateway: Gateway, n: int) -> None:
    from sqlalchemy import func, select

    from storage.models import OutboxMessage, OutboxStatus
    from web.extensions import db

    by_status = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    assert by_status == {OutboxStatus.SENT: n}, by_status
    assert db.session.scalar(select(func.max(OutboxMessage.attempts))) == 1
    assert len(gateway.keys) == n and set(gateway.keys.values()) == {1}, "a message was delivered twice"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from services.outbox import DeliveryPolicy, deliver_outbox
    from web import create_app, env
    from web.extensions import db

    gateway = Gateway(args.latency_ms / 1000)
    app, _ = make_app()
    settings = replace(app.extensions["riskmon.settings"], webhook_url=gateway.url, webhook_secret="bench")
    if args.database_url:
        settings = replace(settings, database_url=args.database_url)
    app = create_app(settings)
    policy = DeliveryPolicy()
    with app.app_context():
        if args.database_url:
            from web.cli import init_database
            init_database()
        queue_messages(args.messages)
        started, ticks, sent = time.perf_counter(), 0, 0
        while sent < args.messages and ticks < 1000:
            sent += deliver_outbox(env(), policy=policy)
            ticks += 1
        elapsed = time.perf_counter() - started
        verify(gateway, args.messages)
        db.session.remove()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"outbox drain: {args.messages} webhook messages in {elapsed:.2f} s = {args.messages / elapsed:.0f} "
          f"messages/s ({args.latency_ms:.0f} ms gateway latency, {policy.in_flight} in flight, batch "
          f"{policy.batch}, {ticks} ticks); exactly once: yes")
    print(f"machine: {machine()}; load average {load}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


if __name__ == "__main__":
    main()
