"""Signing in and out, password reset by mail, language and time zone, and the layout's
security: where "/" leads, CSP without inline script, translated pages."""

import re
import zoneinfo

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicedesk.accounts.models import Contact, User
from servicedesk.tickets.models import Ticket
from tests.factories import UserFactory, make_ticket
from tests.portal.fixtures import login

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)


PASSWORD = "s3cret-pass-word"


def with_password(user: User | None) -> User:
    assert user is not None
    user.set_password(PASSWORD)
    user.save()
    return user


def test_it_sends_each_side_to_its_start_page(
    client: Client, customer_client: Client, staff_client: Client
) -> None:
    assert client.get("/")["Location"] == reverse("login")
    assert customer_client.get("/")["Location"] == reverse("portal:tickets")
    assert staff_client.get("/")["Location"] == reverse("desk:queue", args=["mine"])
    nobody = login(UserFactory())
    response = nobody.get("/")
    assert response.status_code == 403
    assert "no access yet" in response.content.decode()


def test_it_signs_in_in_the_users_language(client: Client, customer: Contact) -> None:
    user = with_password(customer.user)
    User.objects.filter(pk=user.pk).update(language="nl")
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response["Location"] == reverse("home")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    page = client.get(reverse("portal:tickets"))
    assert "Mijn meldingen" in page.content.decode()


def test_it_says_when_the_password_is_wrong(client: Client, customer: Contact) -> None:
    user = with_password(customer.user)
    response = client.post(reverse("login"), {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()


def test_it_signs_out_by_post(customer_client: Client) -> None:
    response = customer_client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert customer_client.get(reverse("portal:tickets")).status_code == 302


def test_it_resets_a_forgotten_password_by_mail(client: Client, customer: Contact) -> None:
    with_password(customer.user)
    response = client.post(reverse("password_reset"), {"email": customer.email})
    assert response["Location"] == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == [customer.email]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-pass-42", "new_password2": "a-brand-new-pass-42"},
    )
    assert done["Location"] == reverse("password_reset_complete")
    assert client.login(username=customer.user.username, password="a-brand-new-pass-42")


def test_it_saves_language_and_time_zone(customer_client: Client, customer: Contact) -> None:
    response = customer_client.post(
        reverse("preferences"), {"language": "fr", "time_zone": "America/Montreal"}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    user = User.objects.get(pk=customer.user_id)
    assert (user.language, user.time_zone) == ("fr", "America/Montreal")
    assert (
        "Langue et fuseau horaire" in customer_client.get(reverse("preferences")).content.decode()
    )


def test_it_refuses_an_unknown_time_zone(customer_client: Client) -> None:
    response = customer_client.post(
        reverse("preferences"), {"language": "en", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]


def test_it_shows_times_in_the_users_time_zone(customer_client: Client, customer: Contact) -> None:
    User.objects.filter(pk=customer.user_id).update(time_zone="Asia/Tokyo")
    ticket = make_ticket(customer)
    local = timezone.localtime(ticket.created_at, zoneinfo.ZoneInfo("Asia/Tokyo"))
    html = customer_client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert local.strftime("%H:%M") in html


@pytest.mark.parametrize(
    ("language", "text"),
    [("nl", "Wat wilt u melden?"), ("fr", "Que souhaitez-vous signaler ?")],
)
def test_it_speaks_dutch_and_french(customer_client: Client, language: str, text: str) -> None:
    customer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = customer_client.get(reverse("portal:report-start")).content.decode()
    assert text in html
    assert f'<html lang="{language}">' in html


def test_it_sends_a_csp_that_forbids_inline_script(client: Client) -> None:
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_it_has_no_inline_script_or_style_on_any_page(
    customer_client: Client, staff_client: Client, customer: Contact
) -> None:
    ticket: Ticket = make_ticket(customer)
    pages = [
        (customer_client, reverse("portal:tickets")),
        (customer_client, reverse("portal:report", args=["incident"])),
        (customer_client, reverse("portal:ticket", args=[ticket.number])),
        (customer_client, reverse("preferences")),
        (staff_client, reverse("desk:queue", args=["open"])),
        (staff_client, reverse("desk:ticket", args=[ticket.number])),
        (staff_client, reverse("desk:phone")),
        (Client(), reverse("login")),
        (Client(), reverse("password_reset")),
    ]
    for client, url in pages:
        html = client.get(url).content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_STYLE.search(html), url


def test_it_serves_htmx_from_our_own_static_files(customer_client: Client) -> None:
    html = customer_client.get(reverse("portal:tickets")).content.decode()
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html
    assert "includeIndicatorStyles" in html
