"""Background tasks of the e-mail channel (django.tasks): thin adapters over `outbound`.

On the embedded default they run in `servicedesk worker` (django-tasks-db).
"""

import os
import socket
import threading

from django.tasks import task

from servicedesk.mail import outbound


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


@task()
def mail_send(outbound_ids: list[int]) -> int:
    """Send these outbound mails, each at most once; return how many were sent now."""
    return outbound.mail_deliver(outbound_ids, worker=_worker())
