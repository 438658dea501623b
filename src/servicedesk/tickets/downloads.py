"""Attachment downloads for the API, portal and desk: only what the selectors let a user see."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404

from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import AnyUser, attachments_visible_to


def attachment_response(user: AnyUser, ticket: Ticket, attachment_id: int) -> FileResponse:
    """Return the file as a download that browsers never render inline; 404 if not visible."""
    attachment = get_object_or_404(attachments_visible_to(user, ticket), pk=attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
