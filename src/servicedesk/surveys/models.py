"""Satisfaction surveys and their answers. Data only: `surveys.services` writes them.

One survey per ticket (its first close; a reopened ticket closed again gets none), and one
answer per survey: both are unique constraints, so two closes or two answers at the same
moment store one.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Contact
from servicedesk.tickets.models import Ticket

# tNPS bands (0-10 "how likely are you to recommend us").
SCORES = range(11)
PROMOTER_MIN = 9  # 9-10
PASSIVE_MIN = 7  # 7-8; 0-6 are detractors


class Survey(models.Model):
    """The survey mailed to a ticket's requester after the ticket closed."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="survey", verbose_name=_("ticket")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("asked")
    )
    language = models.CharField(_("language"), max_length=5)
    sent_at = models.DateTimeField(_("sent"), db_index=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return f"survey {self.ticket_id}"


class SurveyAnswer(models.Model):
    """The requester's answer: a score from 0 to 10 and an optional comment. Given once."""

    survey = models.OneToOneField(
        Survey, on_delete=models.CASCADE, related_name="answer", verbose_name=_("survey")
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"), db_index=True)

    class Meta:
        ordering = ["-answered_at", "-pk"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=10), name="survey_score_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score} ({self.survey_id})"
