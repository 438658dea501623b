"""The admin asks the policy: the same role gets the same answer in the admin as in the API."""

import pytest
from django.test import Client

from servicedesk.accounts.models import StaffRole, User
from servicedesk.contracts.models import Contract
from tests.factories import ContactFactory, ContractFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))  # as stored: factories keep no password
    return client


@pytest.fixture
def contract() -> Contract:
    return ContractFactory(name="Support 2026")


def _rename(client: Client, contract: Contract) -> int:
    """Post the contract's change form with a new name; return the status code."""
    page = client.get(f"/admin/contracts/contract/{contract.pk}/change/")
    if page.status_code != 200:
        return page.status_code
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        name="Support 2027",
        organisation=contract.organisation_id,
        products=[],
        starts_on=contract.starts_on.isoformat(),
    )
    return client.post(f"/admin/contracts/contract/{contract.pk}/change/", data).status_code


def test_it_lets_a_service_manager_change_a_contract_in_the_admin_as_in_the_api(
    contract: Contract,
) -> None:
    manager = StaffFactory(role=StaffRole.SERVICE_MANAGER)
    client = _client(manager)

    assert _rename(client, contract) == 302
    contract.refresh_from_db()
    assert contract.name == "Support 2027"
    answer = client.patch(
        f"/api/v1/contracts/{contract.pk}",
        {"name": "Support 2028"},
        content_type="application/json",
    )
    assert answer.status_code == 200


def test_it_shows_an_agent_contracts_but_refuses_changes_in_the_admin_and_the_api(
    contract: Contract,
) -> None:
    client = _client(StaffFactory(role=StaffRole.AGENT))

    assert client.get("/admin/contracts/contract/").status_code == 200
    assert client.post(
        f"/admin/contracts/contract/{contract.pk}/change/", {"name": "Mine now"}
    ).status_code == 403
    answer = client.patch(
        f"/api/v1/contracts/{contract.pk}", {"name": "Mine"}, content_type="application/json"
    )
    assert answer.status_code == 403
    contract.refresh_from_db()
    assert contract.name == "Support 2026"


def test_it_keeps_users_and_roles_for_administrators(contract: Contract) -> None:
    manager = _client(StaffFactory(role=StaffRole.SERVICE_MANAGER))
    admin = _client(StaffFactory(role=StaffRole.ADMINISTRATOR))

    assert manager.get("/admin/accounts/user/").status_code == 403
    assert admin.get("/admin/accounts/user/").status_code == 200


def test_it_sends_a_customer_to_the_admins_sign_in(contract: Contract) -> None:
    customer = ContactFactory().user
    assert customer is not None

    answer = _client(customer).get("/admin/contracts/contract/")

    assert answer.status_code == 302
    assert "/admin/login/" in answer["Location"]
