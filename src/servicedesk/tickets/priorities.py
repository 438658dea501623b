"""The priority scheme that applies to a ticket: its contract's, or the desk's default."""

from servicedesk.contracts.models import Contract
from servicedesk.sla.schemes import SCHEMES, PriorityScheme

DEFAULT_SCHEME = "low-normal-high-critical"


def scheme_for(contract: Contract | None) -> PriorityScheme:
    """Return the priority scheme of the contract, or the desk's default without one."""
    key = contract.priority_scheme if contract is not None else DEFAULT_SCHEME
    return SCHEMES.get(key, SCHEMES[DEFAULT_SCHEME])


def suggest(scheme: PriorityScheme, *, impact: str, urgency: str) -> str:
    """Return the priority for impact and urgency, or the scheme's default if either is unknown."""
    if impact and urgency:
        return scheme.priority_for(impact, urgency)
    return scheme.default
