"""What the demo desk says about review packs: where to see one, and who downloads it.

The packs need no demo data of their own: they are computed from the demo's tickets,
clocks and surveys. `demo_review_packs(now=...)` returns lines for `servicedesk demo` to
print after the logins: the desk's page for the last finished quarter of each demo
customer with a central point of contact, and the portal page where that contact downloads
it. It reads; it writes nothing.
"""

import datetime
from urllib.parse import urlencode

from django.urls import reverse

from servicedesk.accounts.models import Contact
from servicedesk.reviewpack.quarters import previous_quarter


def demo_review_packs(*, now: datetime.datetime, site: str = "") -> list[str]:
    """Return lines saying where the demo's review packs are, one per CPC with a login."""
    quarter = previous_quarter(now).code
    lines = []
    cpcs = (
        Contact.objects.filter(is_cpc=True, active=True, user__isnull=False)
        .select_related("organisation", "user")
        .order_by("organisation__name", "name")
    )
    for contact in cpcs:
        assert contact.user is not None
        desk = reverse("desk:review-pack")
        query = urlencode({"organisation": contact.organisation.pk, "quarter": quarter})
        lines.append(
            f"Review pack {quarter} of {contact.organisation.name}: {site}{desk}?{query} "
            f"(service managers); {contact.user.username} downloads it at "
            f"{site}{reverse('portal:review-packs')}"
        )
    return lines
