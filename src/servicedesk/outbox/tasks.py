"""The one background task that sends (django.tasks): a thin adapter over the outbox.

On the embedded default it runs in `servicedesk worker` (django-tasks-db).
"""

import os
import socket
import threading

from django.tasks import task

from servicedesk.outbox.services import channel_get, outbox_deliver


def worker_name() -> str:
    """Return who is working, for claims: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


@task()
def outbox_send(channel: str, ids: list[int]) -> int:
    """Send these rows of the channel, each at most once; return how many were sent now."""
    return outbox_deliver(channel_get(channel), ids, worker=worker_name())
