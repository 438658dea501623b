"""The review pack's pages: the desk's (choose, view, download) and the portal's download.

Who may is `access`: the desk's page for service managers and administrators, the portal's
for the organisation's central point of contact. The views parse, ask, call and render.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from servicedesk.reviewpack.access import (
    PackNotFound,
    customer_pack_reader,
    pack_maker,
    pack_reader,
    pack_recipient,
)
from servicedesk.reviewpack.forms import PackForm
from servicedesk.reviewpack.pack import ReviewPack, review_pack
from servicedesk.reviewpack.quarters import QuarterError, parse_quarter, recent_quarters
from servicedesk.reviewpack.render import pack_document, pack_pdf
from servicedesk.tickets.selectors import organisations_visible_to


def _pdf_response(pack: ReviewPack) -> HttpResponse:
    response = HttpResponse(pack_pdf(pack), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _desk_pack(request: HttpRequest) -> tuple[PackForm, ReviewPack | None, int]:
    """Return the form, the pack it asks for (None until a valid choice), and the status:
    400 for a choice that is not valid."""
    user = pack_maker(request.user)
    now = timezone.now()
    form = PackForm(request.GET or None, organisations=organisations_visible_to(user), now=now)
    if not form.is_bound:
        return form, None, 200
    if not form.is_valid() or form.quarter_period is None:
        return form, None, 400
    try:
        reader = pack_reader(
            user,
            organisation_id=form.cleaned_data["organisation"].pk,
            internal=form.cleaned_data["edition"] == "internal",
        )
    except PackNotFound:
        raise Http404 from None
    pack = review_pack(
        reader, quarter=form.quarter_period, months=form.cleaned_data["months"], now=now
    )
    return form, pack, 200


@login_required
@require_GET
def desk_page(request: HttpRequest) -> HttpResponse:
    """Choose an organisation and a quarter; see the pack as the PDF shows it."""
    form, pack, status = _desk_pack(request)
    context: dict[str, Any] = {"form": form, "pack": pack}
    if pack is not None:
        context["document"] = pack_document(pack)
        context["pdf_url"] = f"{reverse('desk:review-pack-pdf')}?{request.GET.urlencode()}"
    return render(request, "reviewpack/desk.html", context, status=status)


@login_required
@require_GET
def desk_pdf(request: HttpRequest) -> HttpResponse:
    """The chosen pack as a PDF; the page with its errors (400) for a choice not valid."""
    form, pack, _status = _desk_pack(request)
    if pack is None:
        return render(request, "reviewpack/desk.html", {"form": form}, status=400)
    return _pdf_response(pack)


@login_required
@require_GET
def portal_page(request: HttpRequest) -> HttpResponse:
    """The organisation's packs of the recent quarters, for its central point of contact."""
    contact = pack_recipient(request.user)
    context = {
        "organisation": contact.organisation,
        "quarters": recent_quarters(timezone.now()),
    }
    return render(request, "reviewpack/portal.html", context)


@login_required
@require_GET
def portal_pdf(request: HttpRequest, organisation: str, quarter: str) -> HttpResponse:
    """The organisation's pack of the quarter as a PDF; 404 for another organisation or a
    quarter that is not one (or has not started)."""
    now = timezone.now()
    try:
        reader = customer_pack_reader(request.user, organisation_code=organisation)
        period = parse_quarter(quarter, now=now)
    except (PackNotFound, QuarterError):
        raise Http404 from None
    return _pdf_response(review_pack(reader, quarter=period, months=3, now=now))
