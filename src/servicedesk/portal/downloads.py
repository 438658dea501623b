"""Attachment downloads for portal and desk: only what the selectors let the user see."""

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404

from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import attachments_visible_to


def attachment_response(request: HttpRequest, ticket: Ticket, attachment_id: int) -> FileResponse:
    """Return the file as a download that browsers never render inline."""
    attachment = get_object_or_404(attachments_visible_to(request.user, ticket), pk=attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
