"""Canned responses: standard texts an agent starts a reply from (seeds 002 and 003)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# (key, title, text): shown in the agent's language, inserted into the reply for editing.
CANNED: list[tuple[str, Promise, Promise]] = [
    (
        "more_info",
        _("Ask for more information"),
        _(
            "Thank you for your report. To investigate it we need some more information:\n"
            "- the steps you took;\n- what you expected and what happened instead;\n"
            "- a screenshot of the error message;\n- the administration and users concerned.\n"
            "As soon as we have it, we will continue."
        ),
    ),
    (
        "in_progress",
        _("We are working on it"),
        _("Thank you for your report. We are looking into it and will get back to you soon."),
    ),
    (
        "solution",
        _("Solution offered"),
        _(
            "We have solved the problem. Could you check that everything works again and "
            "confirm it in the portal? If it is not solved, let us know there."
        ),
    ),
    (
        "supplier",
        _("Forwarded to the supplier"),
        _(
            "The cause lies with our supplier. We have reported it to them and follow it "
            "closely. We will keep you informed of the progress."
        ),
    ),
    (
        "reminder",
        _("Reminder: waiting for your reply"),
        _(
            "We are still waiting for your reply to our earlier question. Without it we "
            "cannot continue."
        ),
    ),
]
