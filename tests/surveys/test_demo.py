"""The demo's survey answers: about half the surveys answered, the same ones every run."""

import pytest

from servicedesk.surveys.demo import SCORES, seed_demo
from servicedesk.surveys.models import SurveyAnswer
from tests.automation.helpers import DAY, at, local
from tests.surveys.conftest import Desk, closed_ticket

pytestmark = pytest.mark.django_db


def test_it_answers_some_surveys_once_however_often_it_runs(desk: Desk) -> None:
    start = local(2026, 3, 2, 10, 0)
    with at(start):
        for n in range(12):
            closed_ticket(desk, title=f"Demo {n}")

    first = seed_demo(now=start + 10 * DAY)
    again = seed_demo(now=start + 10 * DAY)

    answers = list(SurveyAnswer.objects.all())
    assert 0 < first == len(answers) < 12
    assert again == 0
    assert all(a.score in SCORES for a in answers)
    assert all(start < a.answered_at <= start + 10 * DAY for a in answers)
