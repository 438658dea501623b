"""The admin: mailboxes, the inbound mail quarantine (inspect, download, run again)."""

from typing import Any

import pytest
from django.test import Client

from servicedesk.accounts.models import Contact
from servicedesk.mail.models import InboundMail, InboundStatus, Mailbox
from tests.mail.conftest import Ingest
from tests.mail.helpers import compose


@pytest.fixture
def refused(ingest: Ingest, jan: Contact) -> InboundMail:
    jan.active = False
    jan.save()
    inbound = ingest(compose(body="<script>alert('x')</script> kapot"))
    assert inbound.status == InboundStatus.REFUSED
    jan.active = True
    jan.save()
    return inbound


def test_it_shows_a_stored_mail_with_its_raw_bytes_escaped(
    admin_client: Client, refused: InboundMail
) -> None:
    response = admin_client.get(f"/admin/mail/inboundmail/{refused.pk}/change/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "the contact is inactive" in content
    assert "&lt;script&gt;alert(" in content
    assert "<script>alert(" not in content


def test_it_downloads_the_raw_message(admin_client: Client, refused: InboundMail) -> None:
    response = admin_client.get(f"/admin/mail/inboundmail/{refused.pk}/raw/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="inbound-{refused.pk}.eml"'
    assert response.content == bytes(refused.raw)


def test_it_runs_refused_mail_again(admin_client: Client, refused: InboundMail) -> None:
    response = admin_client.post(
        "/admin/mail/inboundmail/",
        {"action": "run_again", "_selected_action": [refused.pk]},
        follow=True,
    )

    assert response.status_code == 200
    refused.refresh_from_db()
    assert refused.status == InboundStatus.PROCESSED


def test_it_keeps_the_mailbox_password_when_left_empty(admin_client: Client, db: Any) -> None:
    box = Mailbox.objects.create(name="support", host="imap.example", username="u", password="p1")
    data = {
        "name": "support",
        "address": "",
        "host": "imap.example",
        "port": "993",
        "security": "ssl",
        "username": "u",
        "password": "",
        "folder": "INBOX",
        "processed_folder": "",
        "team": "",
        "product": "",
        "active": "on",
    }

    response = admin_client.post(f"/admin/mail/mailbox/{box.pk}/change/", data)

    assert response.status_code == 302
    box.refresh_from_db()
    assert box.password == "p1"
    page = admin_client.get(f"/admin/mail/mailbox/{box.pk}/change/").content.decode()
    assert "p1" not in page
