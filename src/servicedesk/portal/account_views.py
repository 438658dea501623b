"""Signing in (in the user's own language), preferences, and where "/" leads."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.portal.forms import PreferencesForm
from servicedesk.tickets.selectors import contact_of, is_staff


def remember_language(response: HttpResponseBase, language: str) -> None:
    """Make the locale middleware use this language from the next request on."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )


def home(request: HttpRequest) -> HttpResponse:
    """Send staff to the desk, contacts to the portal, everyone else to the sign-in page."""
    if is_staff(request.user):
        return redirect("desk:queue", queue="mine")
    if contact_of(request.user) is not None:
        return redirect("portal:tickets")
    if request.user.is_authenticated:
        return render(request, "no_access.html", status=403)
    return redirect(settings.LOGIN_URL)


class LoginView(auth_views.LoginView):
    """Django's sign-in, which then switches to the language the user chose."""

    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if isinstance(user, User) and user.language:
            remember_language(response, user.language)
        return response


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Choose the language and time zone in which pages, dates and times are shown."""
    user = request.user
    if not isinstance(user, User):
        # login_required lets only signed-in users in; never save preferences for nobody.
        raise PermissionDenied
    form = PreferencesForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(user.language)
        messages.success(request, _("Your preferences were saved."))
        response = HttpResponseRedirect(request.path)
        remember_language(response, user.language)
        return response
    return render(request, "portal/preferences.html", {"form": form})
