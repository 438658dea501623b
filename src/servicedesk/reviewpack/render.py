"""The pack as HTML (one template for the page and the PDF) and as PDF (WeasyPrint).

`pack_document(pack)` renders the pack's body in the customer's language and the pack's
time zone; the desk's page shows it inside the desk, `pack_pdf(pack)` wraps it in a page
of its own with the same stylesheet and prints it. The charts are inline SVG, so both look
the same. WeasyPrint fetches nothing: the stylesheet is inlined and every picture is in the
page, so a text in a ticket can never make the server load a URL.
"""

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from servicedesk.billing.report import billing_report
from servicedesk.outages.reports import organisation_outage_report
from servicedesk.reports.compliance import VERDICT_LABELS
from servicedesk.reviewpack.pack import ReviewPack

STYLESHEET = Path(__file__).parent / "static" / "reviewpack" / "pack.css"


def _context(pack: ReviewPack) -> dict[str, Any]:
    return {
        "pack": pack,
        "report": pack.compliance,
        "verdicts": {verdict.value: label for verdict, label in VERDICT_LABELS.items()},
        "outages": organisation_outage_report(
            organisation_id=pack.organisation.pk,
            start=pack.period.start,
            end=pack.period.end,
            now=pack.now,
        ),
        "credit": billing_report(organisation=pack.organisation, period=pack.period),
    }


def pack_document(pack: ReviewPack) -> SafeString:
    """Return the pack's body as HTML, in its language and time zone."""
    with translation.override(pack.language), timezone.override(pack.time_zone):
        return SafeString(render_to_string("reviewpack/document.html", _context(pack)))


def pack_html(pack: ReviewPack) -> str:
    """Return the pack as a page of its own, stylesheet inlined: what the PDF prints."""
    with translation.override(pack.language), timezone.override(pack.time_zone):
        context = {
            **_context(pack),
            "document": pack_document(pack),
            "stylesheet": SafeString(STYLESHEET.read_text(encoding="utf-8")),
        }
        return render_to_string("reviewpack/pdf.html", context)


def pack_pdf(pack: ReviewPack) -> bytes:
    """Return the pack as a PDF document."""
    # Imported here: WeasyPrint loads Pango when imported, which only the PDF needs.
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    class NoFetching(URLFetcher):  # type: ignore[misc]
        """Refuses every URL: the pack's HTML holds everything it shows."""

        def fetch(self, url: str, headers: object = None) -> None:
            raise ValueError(f"the review pack loads nothing: {url[:80]}")

    pdf: bytes = HTML(string=pack_html(pack), url_fetcher=NoFetching()).write_pdf()
    return pdf
