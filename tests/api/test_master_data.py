"""Organisations, contacts, products and contracts: read by scope, written by managers."""

import pytest
from rest_framework.test import APIClient
from tests.conftest import client_for
from tests.factories import ContactFactory, ContractFactory, ProductFactory, StaffFactory

from servicedesk.accounts.models import Contact, StaffRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_api() -> APIClient:
    return client_for(StaffFactory(role=StaffRole.SERVICE_MANAGER))


def test_it_shows_a_contact_only_their_own_organisation(
    contact_api: APIClient, contact: Contact, other_contact: Contact
) -> None:
    body = contact_api.get("/api/v1/organisations/").json()
    assert [org["id"] for org in body["results"]] == [contact.organisation_id]
    other = f"/api/v1/organisations/{other_contact.organisation_id}"
    assert contact_api.get(other).status_code == 404


def test_it_shows_a_contact_only_themselves_unless_cpc(
    contact_api: APIClient, contact: Contact
) -> None:
    colleague = ContactFactory(organisation=contact.organisation)
    ids = [c["id"] for c in contact_api.get("/api/v1/contacts/").json()["results"]]
    assert ids == [contact.pk]
    assert contact_api.get(f"/api/v1/contacts/{colleague.pk}").status_code == 404
    contact.is_cpc = True
    contact.save()
    ids = {c["id"] for c in contact_api.get("/api/v1/contacts/").json()["results"]}
    assert ids == {contact.pk, colleague.pk}


def test_it_hides_other_organisations_contacts_from_a_cpc(
    contact_api: APIClient, contact: Contact, other_contact: Contact
) -> None:
    contact.is_cpc = True
    contact.save()
    assert contact_api.get(f"/api/v1/contacts/{other_contact.pk}").status_code == 404
    assert (
        contact_api.get(f"/api/v1/contacts/?organisation={other_contact.organisation_id}").json()[
            "count"
        ]
        == 0
    )


def test_it_shows_contracts_of_the_own_organisation_only(
    contact_api: APIClient, contact: Contact, other_contact: Contact
) -> None:
    mine = ContractFactory(organisation=contact.organisation)
    theirs = ContractFactory(organisation=other_contact.organisation)
    ids = [c["id"] for c in contact_api.get("/api/v1/contracts/").json()["results"]]
    assert ids == [mine.pk]
    assert contact_api.get(f"/api/v1/contracts/{theirs.pk}").status_code == 404


def test_it_lets_managers_but_not_agents_or_contacts_write(
    manager_api: APIClient, agent_api: APIClient, contact_api: APIClient
) -> None:
    payload = {"name": "Acme BV", "code": "acme"}
    assert contact_api.post("/api/v1/organisations/", payload, format="json").status_code == 403
    assert agent_api.post("/api/v1/organisations/", payload, format="json").status_code == 403
    created = manager_api.post("/api/v1/organisations/", payload, format="json")
    assert created.status_code == 201
    org_id = created.json()["id"]
    contact = manager_api.post(
        "/api/v1/contacts/",
        {"organisation": org_id, "name": "Ann", "email": "Ann@Acme.example", "is_cpc": True},
        format="json",
    )
    assert contact.status_code == 201
    assert contact.json()["email"] == "ann@acme.example"
    duplicate = manager_api.post(
        "/api/v1/contacts/",
        {"organisation": org_id, "name": "Ann 2", "email": "ANN@acme.example"},
        format="json",
    )
    assert duplicate.status_code == 400
    assert "email" in duplicate.json()


def test_it_lists_products_to_anyone_signed_in(contact_api: APIClient) -> None:
    product = ProductFactory()
    ProductFactory(active=False)
    names = [p["name"] for p in contact_api.get("/api/v1/products/").json()["results"]]
    assert names == [product.name]


def test_it_reports_a_missing_field_by_name(manager_api: APIClient) -> None:
    response = manager_api.post("/api/v1/organisations/", {"code": "x"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()


def test_it_refuses_a_scheme_that_does_not_fit_the_service_level(manager_api: APIClient) -> None:
    org = manager_api.post("/api/v1/organisations/", {"name": "B", "code": "b"}, format="json")
    payload = {
        "organisation": org.json()["id"],
        "name": "Support",
        "reference": "C-1",
        "service_level": "severity-nl-office-hours",
        "priority_scheme": "high-medium-low",
    }
    wrong = manager_api.post("/api/v1/contracts/", payload, format="json")
    assert wrong.status_code == 400
    assert "priority_scheme" in wrong.json()
    unknown = manager_api.post(
        "/api/v1/contracts/", {**payload, "service_level": "gold"}, format="json"
    )
    assert unknown.status_code == 400
    assert "service_level" in unknown.json()
    right = manager_api.post(
        "/api/v1/contracts/", {**payload, "priority_scheme": "severity-1-4"}, format="json"
    )
    assert right.status_code == 201, right.content
