"""`python -m tests.notifications.celery_worker QUEUE`: the project's Celery worker (the one
the Procfile runs), consuming one queue, with a short broker visibility timeout so that a
message its killed predecessor left unacknowledged comes back within seconds (in
production Redis gives it back after an hour, and the periodic round re-sends sooner)."""

import os
import sys

from entezam.config.celery import app


def main() -> None:
    queue = sys.argv[1]
    app.conf.broker_transport_options = {
        "visibility_timeout": float(os.environ.get("ENTEZAM_TEST_VISIBILITY_TIMEOUT", "3")),
        # Sweep for such messages every second (kombu's default: about every 100 s).
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    app.worker_main(
        [
            "worker",
            f"--queues={queue}",
            "--pool=prefork",
            "--concurrency=1",
            "--prefetch-multiplier=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            f"--hostname={queue}-{os.getpid()}@%h",
        ]
    )


if __name__ == "__main__":
    main()
