"""`python -m tests.guidelines.celery_worker QUEUE`: the project's Celery worker consuming
one queue, with the reminder and delivery tasks routed to it (the delivery a reminder
schedules is sent from inside the worker), and a short visibility timeout so a message
its killed predecessor left unacknowledged comes back within seconds."""

import os
import sys

from entezam.config.celery import app


def main() -> None:
    queue = sys.argv[1]
    app.conf.task_routes = {
        "entezam.notifications.tasks.deliver": {"queue": queue},
        "entezam.guidelines.tasks.send_reminders": {"queue": queue},
    }
    app.conf.broker_transport_options = {
        "visibility_timeout": float(os.environ.get("ENTEZAM_TEST_VISIBILITY_TIMEOUT", "3")),
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
