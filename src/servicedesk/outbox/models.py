"""The columns every outbox table shares: its dedupe key and its delivery state.

Data only: `outbox.services` changes them.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Neither sent nor given up: what the outbox still has to send.
UNSENT = Q(sent_at__isnull=True, failed_at__isnull=True)


def unsent_index(name: str) -> models.Index:
    """Return the partial index the requeue reads: unsent rows by their next look."""
    return models.Index(fields=["next_attempt_at"], condition=UNSENT, name=name)


class OutboxItem(models.Model):
    """One thing to send, sent once: its dedupe key and delivery state (an abstract base).

    Stored with a unique `dedupe_key` (when it has one), so a cause handled twice stores it
    once. A worker claims it (`claimed_at`, a lease) before sending and stamps `sent_at`
    after; `next_attempt_at` says when to look again while it is unsent (its task lost, its
    lease expired, a failure's back-off); `failed_at` when it was given up.
    """

    dedupe_key = models.CharField(
        _("dedupe key"), max_length=150, unique=True, null=True, blank=True
    )
    # When to look again if it is still unsent: its task was lost, its claim expired, or
    # a failed attempt waits out its back-off. Empty once sent or given up.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        abstract = True
