"""Continuous outbox drain: one tick claims batch after batch until nothing is due, with several webhook
deliveries in flight, and two schedulers draining at once still mark (and send) each row exactly once."""
from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from services.outbox import DeliveryPolicy, deliver_outbox
from storage.models import OutboxChannel, OutboxMessage, OutboxStatus, utcnow
from web import create_app
from web.extensions import db


class Gateway:
    """A local webhook receiver counting keys and the most requests it had in flight at once."""

    def __init__(self, latency: float = 0.02):
        self.keys: Counter = Counter()
        self.in_flight = self.most_in_flight = 0
        lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    gateway.in_flight += 1
                    gateway.most_in_flight = max(gateway.most_in_flight, gateway.in_flight)
                time.sleep(latency)
                with lock:
                    gateway.in_flight -= 1
                    gateway.keys[self.headers["Idempotency-Key"]] += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)


@pytest.fixture
def gateway():
    hook = Gateway()
    hook.thread.start()
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


@pytest.fixture
def hook_app(settings, gateway):
    app = create_app(replace(settings, webhook_url=gateway.url, webhook_secret="s"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def queue(app, n: int) -> None:
    now = utcnow()
    with app.app_context():
        rows = [dict(channel=OutboxChannel.WEBHOOK, recipient="13800000000", subject=f"通知 {i}", body="",
                     payload={"i": i}, idempotency_key=f"webhook-{uuid.uuid4().hex}", status=OutboxStatus.PENDING,
                     attempts=0, next_attempt_at=now, created_at=now) for i in range(n)]
        db.session.execute(OutboxMessage.__table__.insert(), rows)
        db.session.commit()
        db.session.remove()


def statuses(app) -> dict:
    with app.app_context():
        try:
            return dict(db.session.execute(select(OutboxMessage.status, func.count())
                                           .group_by(OutboxMessage.status)).all())
        finally:
            db.session.remove()


def drain(app, policy, results, owner):
    from web import env

    with app.app_context():
        try:
            results.append(deliver_outbox(env(), policy=policy, owner=owner))
        finally:
            db.session.remove()


def test_one_tick_drains_every_batch_with_several_in_flight(hook_app, gateway):
    queue(hook_app, 230)
    results: list[int] = []
    drain(hook_app, DeliveryPolicy(batch=50, in_flight=8), results, "scheduler-a")
    assert results == [230]  # five batches in one tick, not one batch of 50
    assert statuses(hook_app) == {OutboxStatus.SENT: 230}
    assert gateway.most_in_flight > 1
    assert len(gateway.keys) == 230 and set(gateway.keys.values()) == {1}


def test_two_schedulers_draining_together_send_each_row_once(hook_app, gateway):
    queue(hook_app, 200)
    results: list[int] = []
    policy = DeliveryPolicy(batch=20, in_flight=4)
    threads = [threading.Thread(target=drain, args=(hook_app, policy, results, f"scheduler-{n}")) for n in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(results) == 200, results
    assert statuses(hook_app) == {OutboxStatus.SENT: 200}
    assert len(gateway.keys) == 200 and set(gateway.keys.values()) == {1}


def test_a_tick_stops_after_its_time_and_the_next_continues(hook_app, gateway):
    queue(hook_app, 60)
    results: list[int] = []
    drain(hook_app, DeliveryPolicy(batch=10, in_flight=2, tick_seconds=0.0001), results, "scheduler-a")
    assert results[0] == 10  # one batch, then the tick's time was up
    drain(hook_app, DeliveryPolicy(batch=100, in_flight=8), results, "scheduler-a")
    assert sum(results) == 60 and statuses(hook_app) == {OutboxStatus.SENT: 60}
