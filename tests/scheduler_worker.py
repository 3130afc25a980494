"""A scheduler process for tests/test_scheduler_postgres.py: builds the app and loops the timer and
outbox jobs (the same service functions `riskmon scheduler` runs) until its stop file appears.

With `die_after_fired: N` in its config the process SIGKILLs itself in the middle of the step after its N-th
fired instance: the claim and the step's writes are made, the commit never comes (a crash mid-transaction at a
point the test controls; a kill from outside could arrive only after a whole tick of up to 200 instances)."""
from __future__ import annotations

import json
import os
import signal
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
        if config.get("die_after_fired"):
            _die_mid_step_after(session_env, config["die_after_fired"])
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


def _die_mid_step_after(session_env, count: int) -> None:
    import services.timers as timers

    fire_one, step = timers.fire_instance_timers, session_env.store.step
    fired = 0

    def step_then_die(*args, **kwargs):
        result = step(*args, **kwargs)
        print(json.dumps({"pid": os.getpid(), "dying_after": fired}), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # before fire_instance_timers commits this instance
        return result

    def counting(*args, **kwargs):
        nonlocal fired
        done = fire_one(*args, **kwargs)
        fired += bool(done)
        if fired >= count:
            session_env.store.step = step_then_die
        return done

    timers.fire_instance_timers = counting


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
