"""Background tasks (django.tasks): thin adapters that call the automation functions.

On the embedded default they run in `servicedesk worker` (django-tasks-db).
"""

import os
import socket
import threading

from django.tasks import task

from servicedesk.automation import notify


def worker_name() -> str:
    """Return who is working, for claims: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


@task()
def notifications_send(notification_ids: list[int]) -> int:
    """Send these notifications, each at most once; return how many were sent now."""
    return notify.notifications_deliver(notification_ids, worker=worker_name())
