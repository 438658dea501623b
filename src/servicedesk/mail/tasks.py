"""The e-mail channel's former sending task, kept so that tasks queued before the outbox
(`servicedesk.outbox.tasks.outbox_send`) still run after an upgrade; nothing queues it now.
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
