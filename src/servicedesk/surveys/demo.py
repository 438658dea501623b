"""Demo answers to the surveys the demo's closed tickets were sent.

`seed_demo(now=...)` answers about half of the unanswered surveys, the same half for the
same surveys every run (so running the demo twice adds nothing): mostly promoters, some
passives, a few detractors (who alert their team lead, as in real life), with a comment now
and then in the customer's language, a few hours to days after the survey was sent. Call it
after the demo's tickets are made and before the demo marks what it notified as sent.
"""

import datetime
import random
import zlib

from django.utils import timezone

from servicedesk.surveys.models import Survey
from servicedesk.surveys.services import survey_answer

SCORES = (10, 10, 9, 9, 9, 8, 8, 7, 6, 4)
COMMENTS = {
    "en": {
        "high": ["Quick and clear answer, thank you.", "Solved the same day."],
        "mid": ["Fine, but it took a while.", "OK in the end."],
        "low": ["We had to chase you twice.", "The workaround did not help us."],
    },
    "nl": {
        "high": ["Snel en duidelijk antwoord, dank u.", "Dezelfde dag opgelost."],
        "mid": ["Prima, maar het duurde even.", "Uiteindelijk goed."],
        "low": ["We moesten twee keer navragen.", "De workaround hielp ons niet."],
    },
    "fr": {
        "high": ["Réponse rapide et claire, merci.", "Résolu le jour même."],
        "mid": ["Bien, mais cela a pris du temps.", "Correct au final."],
        "low": ["Nous avons dû relancer deux fois.", "Le contournement ne nous a pas aidés."],
    },
}


def _band(score: int) -> str:
    return "high" if score >= 9 else "mid" if score >= 7 else "low"


def seed_demo(*, now: datetime.datetime | None = None, seed: int = 2024) -> int:
    """Answer the demo's surveys as described above; return how many were answered now."""
    now = now or timezone.now()
    answered = 0
    unanswered = Survey.objects.filter(answer__isnull=True, sent_at__lte=now).select_related(
        "ticket", "contact"
    )
    for survey in unanswered.order_by("pk"):
        rng = random.Random(zlib.crc32(f"{seed}:{survey.ticket.number}".encode()))  # noqa: S311
        if rng.random() >= 0.5:
            continue  # not everyone answers
        at = survey.sent_at + datetime.timedelta(hours=rng.randint(1, 96))
        if at > now:
            continue
        score = rng.choice(SCORES)
        texts = COMMENTS.get(survey.language, COMMENTS["en"])[_band(score)]
        comment = rng.choice(texts) if rng.random() < 0.4 or score < 7 else ""
        survey_answer(survey=survey, score=score, comment=comment, now=at)
        answered += 1
    return answered
