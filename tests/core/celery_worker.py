"""`python -m tests.core.celery_worker QUEUE`: the project's Celery worker consuming one
queue, with the background-job task routed to it."""

import os
import sys

from entezam.config.celery import app


def main() -> None:
    queue = sys.argv[1]
    app.conf.task_routes = {"entezam.core.tasks.run_job": {"queue": queue}}
    app.worker_main(
        [
            "worker",
            f"--queues={queue}",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            f"--hostname={queue}-{os.getpid()}@%h",
        ]
    )


if __name__ == "__main__":
    main()
