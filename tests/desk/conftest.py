"""Fixtures of the desk tests (shared with the portal tests)."""

from tests.portal.fixtures import (
    colleague,
    contract,
    customer,
    customer_client,
    product,
    staff,
    staff_client,
    stranger,
    web_settings,
)

__all__ = [
    "colleague",
    "contract",
    "customer",
    "customer_client",
    "product",
    "staff",
    "staff_client",
    "stranger",
    "web_settings",
]
