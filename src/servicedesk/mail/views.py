"""The inbound webhook: mail providers POST raw messages here.

POST /mail/inbound with the raw RFC 5322 message as the body (`Content-Type:
message/rfc822`) and `Authorization: Bearer <MAIL_WEBHOOK_TOKEN>`. `?mailbox=<name>`
files the mail as if read from that mailbox (its team and product). Answers: 202 with
the inbound mail's id and status once the message is stored; 401 without the right
token; 404 while no token is configured; 413 over MAIL_MAX_BYTES; 415 for another
content type; 400 for an empty body.
"""

import hmac

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from servicedesk.mail import config
from servicedesk.mail.intake import mail_ingest
from servicedesk.mail.models import Mailbox

CONTENT_TYPES = frozenset({"message/rfc822", "message/global", "application/octet-stream"})


def _authorised(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))


@csrf_exempt
@require_POST
def inbound_webhook(request: HttpRequest) -> JsonResponse:
    """Store and process one raw message from a mail provider; 202 with its id."""
    token = config.webhook_token()
    if not token:
        return JsonResponse({"error": "the inbound mail webhook is not configured"}, status=404)
    if not _authorised(request, token):
        response = JsonResponse({"error": "authentication required"}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="mail"'
        return response
    content_type = request.content_type.lower() if request.content_type else ""
    if content_type not in CONTENT_TYPES:
        return JsonResponse({"error": "send the raw message as message/rfc822"}, status=415)
    limit = config.max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return JsonResponse({"error": f"the message is larger than {limit} bytes"}, status=413)
    # Read the stream ourselves: request.body would apply the form upload limit.
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return JsonResponse({"error": f"the message is larger than {limit} bytes"}, status=413)
    if not raw.strip():
        return JsonResponse({"error": "the message is empty"}, status=400)
    mailbox = None
    name = request.GET.get("mailbox", "")
    if name:
        mailbox = Mailbox.objects.filter(name=name, active=True).first()
        if mailbox is None:
            return JsonResponse({"error": f"no active mailbox named {name!r}"}, status=400)
    inbound = mail_ingest(raw, source="webhook", mailbox=mailbox)
    return JsonResponse({"id": inbound.pk, "status": inbound.status}, status=202)
