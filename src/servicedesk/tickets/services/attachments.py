"""Files on a ticket."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.tickets import policy
from servicedesk.tickets.filenames import clean_upload_name, extension_of
from servicedesk.tickets.models import (
    Attachment,
    EventAction,
    Message,
    Ticket,
    Visibility,
)
from servicedesk.tickets.services.common import (
    now_or,
    record_event,
)


def _extension(filename: str) -> str:
    return extension_of(filename)


@transaction.atomic
def attachment_add(
    *,
    ticket: Ticket,
    upload: UploadedFile[bytes],
    actor: User | None,
    message: Message | None = None,
    internal: bool = False,
    now: datetime.datetime | None = None,
) -> Attachment:
    """Store a file on the ticket after checking its size and type; return the attachment.

    A file on an internal note is internal, whatever the caller said.
    """
    at = now_or(now)
    if message is not None and message.visibility == Visibility.INTERNAL:
        internal = True
    policy.require(
        actor,
        policy.Action.ATTACH_INTERNAL if internal else policy.Action.ATTACH,
        ticket=ticket,
    )
    filename = clean_upload_name(upload.name or "")
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    if size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationError(
            {"file": [_("The file is larger than %(limit)d MB.") % {"limit": limit}]}
        )
    if _extension(filename) in settings.ATTACHMENT_BLOCKED_EXTENSIONS:
        raise ValidationError(
            {
                "file": [
                    _("Files of type .%(ext)s are not accepted.") % {"ext": _extension(filename)}
                ]
            }
        )
    if message is not None and message.ticket_id != ticket.pk:
        raise ValidationError({"message": [_("The message belongs to another ticket.")]})
    attachment = Attachment(
        ticket=ticket,
        message=message,
        filename=filename[:255],
        content_type=(upload.content_type or "application/octet-stream")[:120],
        size=size,
        internal=internal,
        uploaded_by=actor,
    )
    attachment.file.save(filename, upload, save=False)
    attachment.save()
    ticket.updated_at = at
    ticket.save(update_fields=["updated_at"])
    action = EventAction.ATTACHMENT_INTERNAL if internal else EventAction.ATTACHMENT_ADDED
    record_event(ticket, actor=actor, action=action, at=at, new=filename)
    return attachment
