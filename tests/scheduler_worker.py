"""A scheduler process for tests/test_scheduler_postgres.py: builds the app and loops the timer and
outbox jobs (the same service functions `riskmon scheduler` runs) until its stop file appears."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(config: dict) -> None:
    from services.heartbeat import beat
    from services.outbox import DeliveryPolicy, deliver_outbox
    from services.settings import Settings
    from services.timers import fire_due_timers
    from web import create_app, env

    settings = Settings(**config["settings"])
    policy = DeliveryPolicy(lease_seconds=config["lease_seconds"], backoff_base_seconds=1)
    app = create_app(settings)
    stop, go = Path(config["stop_file"]), Path(config["go_file"])
    give_up = time.monotonic() + config["max_seconds"]
    with app.app_context():
        session_env = env()
        print("ready", flush=True)
        while not go.exists() and time.monotonic() < give_up:  # both schedulers start together
            time.sleep(0.02)
        while not stop.exists() and time.monotonic() < give_up:
            fired = fire_due_timers(session_env)
            sent = deliver_outbox(session_env, policy=policy)
            beat(session_env)
            print(json.dumps({"pid": os.getpid(), "t": round(time.time(), 2), "fired": fired, "sent": sent}),
                  flush=True)
            if not fired and not sent:
                time.sleep(0.1)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
