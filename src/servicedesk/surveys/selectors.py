"""Satisfaction results, scoped by who asks (`opsreports.scope`), aggregated in the database.

An answer counts in the period in which it was given. tNPS = % promoters (9-10) minus
% detractors (0-6), rounded to a whole number, from -100 to 100; none without answers.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from servicedesk.opsreports.scope import ReportScope
from servicedesk.surveys.models import PASSIVE_MIN, PROMOTER_MIN, Survey, SurveyAnswer

COMMENTS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class SurveyComment:
    """An answer with a comment, as the reports list it."""

    ticket_number: str
    score: int
    comment: str
    answered_at: datetime.datetime


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """The satisfaction of a period: how many were asked and answered, the bands, the tNPS,
    and the latest comments."""

    period_from: datetime.datetime
    period_to: datetime.datetime
    sent: int  # surveys sent in the period
    count: int  # answers given in the period
    promoters: int
    passives: int
    detractors: int
    tnps: int | None
    comments: list[SurveyComment]

    @property
    def response_rate(self) -> int | None:
        """Return answers per survey sent in the period, in percent (None if none was sent)."""
        return round(100 * self.count / self.sent) if self.sent else None


def tnps(*, promoters: int, detractors: int, count: int) -> int | None:
    """Return the tNPS: % promoters minus % detractors, rounded; None without answers."""
    if count == 0:
        return None
    return round(100 * (promoters - detractors) / count)


def answers_in(
    period_from: datetime.datetime, period_to: datetime.datetime, scope: ReportScope
) -> QuerySet[SurveyAnswer]:
    """Return the answers given in [period_from, period_to) about tickets in the scope,
    latest first, with what a list of them shows."""
    return (
        SurveyAnswer.objects.filter(
            scope.ticket_filter("survey__ticket__"),
            answered_at__gte=period_from,
            answered_at__lt=period_to,
        )
        .select_related("survey__ticket__organisation", "survey__contact")
        .order_by("-answered_at", "-pk")
    )


def satisfaction(
    period_from: datetime.datetime,
    period_to: datetime.datetime,
    scope: ReportScope,
    *,
    comments: int = COMMENTS_SHOWN,
) -> Satisfaction:
    """Return the satisfaction of the period within the scope: three queries (the answers'
    bands in one aggregate, the surveys sent, the latest comments)."""
    answers = SurveyAnswer.objects.filter(
        scope.ticket_filter("survey__ticket__"),
        answered_at__gte=period_from,
        answered_at__lt=period_to,
    )
    bands = answers.aggregate(
        count=Count("pk"),
        promoters=Count("pk", filter=Q(score__gte=PROMOTER_MIN)),
        passives=Count("pk", filter=Q(score__gte=PASSIVE_MIN, score__lt=PROMOTER_MIN)),
        detractors=Count("pk", filter=Q(score__lt=PASSIVE_MIN)),
    )
    sent = Survey.objects.filter(
        scope.ticket_filter("ticket__"), sent_at__gte=period_from, sent_at__lt=period_to
    ).count()
    latest = (
        answers.exclude(comment="")
        .order_by("-answered_at", "-pk")
        .values_list("survey__ticket__number", "score", "comment", "answered_at")[:comments]
    )
    return Satisfaction(
        period_from=period_from,
        period_to=period_to,
        sent=sent,
        count=bands["count"],
        promoters=bands["promoters"],
        passives=bands["passives"],
        detractors=bands["detractors"],
        tnps=tnps(
            promoters=bands["promoters"], detractors=bands["detractors"], count=bands["count"]
        ),
        comments=[SurveyComment(*row) for row in latest],
    )
