"""Survey pages: the public answer page (by signed link) and the desk's list of answers."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from servicedesk.core.csvexport import csv_response
from servicedesk.desk.access import desk_agent
from servicedesk.mail.texts import language_or_default
from servicedesk.opsreports.forms import PeriodFilterForm
from servicedesk.opsreports.periods import Period, period_of
from servicedesk.opsreports.scope import report_scope
from servicedesk.surveys.forms import SurveyAnswerForm
from servicedesk.surveys.links import survey_key
from servicedesk.surveys.models import PASSIVE_MIN, PROMOTER_MIN, SurveyAnswer
from servicedesk.surveys.selectors import answers_in, satisfaction
from servicedesk.surveys.services import AlreadyAnswered, survey_answer, survey_for_key
from servicedesk.tickets.policy import Refusal
from servicedesk.tickets.selectors import organisations_visible_to
from servicedesk.ui.forms import add_service_errors
from servicedesk.ui.paging import window

PAGE_SIZE = 50


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The survey behind a signed link: its ticket's number and title, the question, the
    answer once; a changed or made-up link is "not found"."""
    key = survey_key(token)
    survey = survey_for_key(key) if key is not None else None
    if survey is None:
        raise Http404
    with translation.override(language_or_default(survey.language)):
        context: dict[str, Any] = {
            "number": survey.ticket.number,
            "title": survey.ticket.title,
            "answered": hasattr(survey, "answer"),
            "thanks": False,
        }
        status = 200
        form = SurveyAnswerForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and not context["answered"]:
            if form.is_valid():
                try:
                    survey_answer(
                        survey=survey,
                        score=form.cleaned_data["score"],
                        comment=form.cleaned_data["comment"],
                    )
                    context["thanks"] = True
                except AlreadyAnswered:
                    context["answered"] = True
                    status = 409
                except ValidationError as error:
                    add_service_errors(form, error)
                    status = 400
            else:
                status = 400
        elif request.method == "POST":
            status = 409
        context["form"] = form
        response = render(request, "surveys/answer.html", context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _band(score: int) -> str:
    if score >= PROMOTER_MIN:
        return _("Promoter")
    return _("Passive") if score >= PASSIVE_MIN else _("Detractor")


@login_required
def desk_answers(request: HttpRequest) -> HttpResponse:
    """The survey answers of a period with the tNPS, for readers of reports; CSV on request."""
    agent = desk_agent(request)
    try:
        report_scope(agent)
    except Refusal as refusal:
        raise PermissionDenied from refusal
    form = PeriodFilterForm(request.GET or None, organisations=organisations_visible_to(agent))
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    data = form.cleaned_data if status == 200 and form.is_bound else {}
    try:
        period = period_of(data.get("date_from"), data.get("date_to"))
    except ValidationError as error:
        add_service_errors(form, error, {"from": "date_from", "to": "date_to"})
        period, status = period_of(None, None), 400
    scope = report_scope(agent, **form.ids())
    answers = answers_in(period.start, period.end, scope)
    if request.GET.get("format") == "csv" and status == 200:
        return _csv(answers, period)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "period": period,
        "result": satisfaction(period.start, period.end, scope, comments=0),
        "page": window(answers, PAGE_SIZE, request.GET.get("page")),
        "query": query.urlencode(),
    }
    return render(request, "surveys/desk_answers.html", context, status=status)


def _csv(answers: QuerySet[SurveyAnswer], period: Period) -> HttpResponse:
    header = [_("Answered"), _("Ticket"), _("Customer"), _("Requester"), _("Score"), _("Band")]
    rows = (
        (
            a.answered_at,
            a.survey.ticket.number,
            a.survey.ticket.organisation.name,
            a.survey.contact.name,
            a.score,
            _band(a.score),
            a.comment,
        )
        for a in answers.iterator(chunk_size=500)
    )
    filename = f"satisfaction-{period.first}-{period.last}.csv"
    return csv_response(filename, [*header, _("Comment")], rows)
