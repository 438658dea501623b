"""The priority scheme that applies to a ticket: its contract's, or the desk's default."""

from servicedesk.contracts.models import Contract
from servicedesk.servicelevels.selectors import LevelVersion, current_version
from servicedesk.sla.schemes import SCHEMES, PriorityScheme

DEFAULT_SCHEME = "low-normal-high-critical"


def scheme_for(contract: Contract | None, *, version: LevelVersion | None = None) -> PriorityScheme:
    """Return the priority scheme of the contract, or the desk's default without one.

    That is the scheme of the current version of its service level (`version` when the
    caller has read it already); a contract naming another scheme (`priority_scheme`, from
    before service levels were records) gets that built-in scheme.
    """
    if contract is None:
        return SCHEMES[DEFAULT_SCHEME]
    version = version or current_version(contract.service_level_id)
    if version is not None and contract.priority_scheme in ("", version.preset.scheme.key):
        return version.preset.scheme
    return SCHEMES.get(contract.priority_scheme, SCHEMES[DEFAULT_SCHEME])


def suggest(scheme: PriorityScheme, *, impact: str, urgency: str) -> str:
    """Return the priority for impact and urgency, or the scheme's default if either is unknown."""
    if impact and urgency:
        return scheme.priority_for(impact, urgency)
    return scheme.default
