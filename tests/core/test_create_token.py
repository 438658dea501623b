"""`servicedesk create-token USERNAME`: a new API token, replacing the old one."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from servicedesk.__main__ import main
from servicedesk.accounts.models import User
from tests.factories import StaffFactory


def _create_token(username: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_token", username, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_a_token_that_authenticates(agent: User) -> None:
    out, _ = _create_token(agent.username)
    key = out.strip()
    assert re.fullmatch(r"[0-9a-f]{40}", key)
    user, _ = TokenAuthentication().authenticate_credentials(key)
    assert user == agent
    assert Token.objects.get(user=agent).key == key


def test_it_replaces_the_old_token(agent: User) -> None:
    old = Token.objects.create(user=agent)
    key = _create_token(agent.username)[0].strip()
    assert key != old.key
    assert list(Token.objects.filter(user=agent).values_list("key", flat=True)) == [key]
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(old.key)


def test_it_fails_cleanly_for_an_unknown_user(db: None) -> None:
    out = StringIO()
    with pytest.raises(CommandError, match="No user with username 'nobody'"):
        call_command("create_token", "nobody", stdout=out)
    assert out.getvalue() == ""
    assert not Token.objects.exists()


def test_it_fails_cleanly_for_an_inactive_user(db: None) -> None:
    user = StaffFactory(is_active=False)
    out = StringIO()
    with pytest.raises(CommandError, match="inactive"):
        call_command("create_token", user.username, stdout=out)
    assert out.getvalue() == ""
    assert not Token.objects.exists()


def test_it_exits_non_zero_with_a_message_on_the_console(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["servicedesk", "create-token", "--skip-checks", "nobody"])
    assert exit_.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "No user with username 'nobody'" in captured.err
