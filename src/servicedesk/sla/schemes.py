"""Priority schemes: the priorities a contract uses, their order, default and matrix.

Four schemes, one per way the seeds rank work:

- ``impact-urgency-p1-p5`` (seed 001): P1..P5 from impact x urgency;
- ``severity-1-4`` (seed 000): severity 1 (down) .. 4 (questions);
- ``low-normal-high-critical`` (seed 002): the desk's default scheme, mail default Normal;
- ``high-medium-low`` (seed 003).

`rank(code)` is 1 for the most urgent priority; work is taken from rank 1 down (003).

`priority_for(impact, urgency)`: every scheme answers, so intake can suggest a priority from
impact and urgency whatever the contract. The 001 matrix (impact HIGH/MEDIUM/LOW x urgency
HIGH/MEDIUM/LOW) gives P1..P5 -- urgency high: 1, 2, 3; medium: 2, 3, 4; low: 3, 4, 5 for
impact high, medium, low. Other schemes map that P-level onto their own codes by a fixed
table, chosen from the seeds' descriptions:

- severity: P1 -> 1 (system down), P2 -> 2 (serious limitation for several users),
  P3..P5 -> 3 (works with errors). Severity 4 is for questions, which have no impact.
- low/normal/high/critical: P1 -> critical (primary processes stand still), P2 -> high
  (seriously hindered), P3, P4 -> normal (hindrance), P5 -> low (cosmetic).
- high/medium/low: P1 -> high (work cannot go on, no alternative), P2, P3 -> medium
  (considerable impact, alternative available), P4, P5 -> low.

Defaults (the priority a ticket gets when nobody chose one): Normal for 002 (the seed's
mail default); the middle priority otherwise (P3, severity 3, Medium), our choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from servicedesk.sla.vocab import Level

H, M, L = Level.HIGH, Level.MEDIUM, Level.LOW

MATRIX: Mapping[tuple[Level, Level], int] = MappingProxyType(
    {
        # (impact, urgency): P-level (seed 001)
        (H, H): 1, (M, H): 2, (L, H): 3,
        (H, M): 2, (M, M): 3, (L, M): 4,
        (H, L): 3, (M, L): 4, (L, L): 5,
    }
)  # fmt: skip


@dataclass(frozen=True)
class Priority:
    """One priority of a scheme: a stable code (stored) and an English label (shown)."""

    code: str
    label: str


@dataclass(frozen=True, eq=False)
class PriorityScheme:
    """An ordered list of priorities, most urgent first, with a default and a matrix map."""

    key: str
    name: str
    priorities: tuple[Priority, ...]
    default: str
    from_matrix: Mapping[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "from_matrix", MappingProxyType(dict(self.from_matrix)))
        codes = self.codes()
        if len(set(codes)) != len(codes):
            raise ValueError(f"scheme {self.key}: duplicate priority codes")
        if self.default not in codes:
            raise ValueError(f"scheme {self.key}: default {self.default!r} is not a priority")
        if set(self.from_matrix) != set(MATRIX.values()) or not set(
            self.from_matrix.values()
        ) <= set(codes):
            raise ValueError(f"scheme {self.key}: from_matrix must map P1..P5 to its codes")

    def codes(self) -> tuple[str, ...]:
        """Return the priority codes, most urgent first."""
        return tuple(p.code for p in self.priorities)

    def has(self, code: str) -> bool:
        """Return True if the code is a priority of this scheme."""
        return code in self.codes()

    def label(self, code: str) -> str:
        """Return the English label of a priority code."""
        for priority in self.priorities:
            if priority.code == code:
                return priority.label
        raise KeyError(f"scheme {self.key} has no priority {code!r}")

    def rank(self, code: str) -> int:
        """Return 1 for the most urgent priority, 2 for the next, and so on."""
        try:
            return self.codes().index(code) + 1
        except ValueError:
            raise KeyError(f"scheme {self.key} has no priority {code!r}") from None

    def priority_for(self, impact: str, urgency: str) -> str:
        """Return the priority code for an impact and an urgency ("high", "medium", "low")."""
        level = MATRIX[(Level(impact), Level(urgency))]
        return self.from_matrix[level]

    def matrix(self) -> dict[tuple[str, str], str]:
        """Return {(impact, urgency): code} for all nine combinations."""
        return {(i.value, u.value): self.from_matrix[p] for (i, u), p in MATRIX.items()}


IMPACT_URGENCY = PriorityScheme(
    key="impact-urgency-p1-p5",
    name="Impact x urgency, P1-P5",
    priorities=(
        Priority("p1", "P1 Critical"),
        Priority("p2", "P2 High"),
        Priority("p3", "P3 Medium"),
        Priority("p4", "P4 Low"),
        Priority("p5", "P5 Minor"),
    ),
    default="p3",
    from_matrix={1: "p1", 2: "p2", 3: "p3", 4: "p4", 5: "p5"},
)

SEVERITY = PriorityScheme(
    key="severity-1-4",
    name="Severity 1-4",
    priorities=(
        Priority("sev1", "Severity 1: system down"),
        Priority("sev2", "Severity 2: serious limitation for several users"),
        Priority("sev3", "Severity 3: works with errors or problems"),
        Priority("sev4", "Severity 4: question"),
    ),
    default="sev3",
    from_matrix={1: "sev1", 2: "sev2", 3: "sev3", 4: "sev3", 5: "sev3"},
)

LOW_NORMAL_HIGH_CRITICAL = PriorityScheme(
    key="low-normal-high-critical",
    name="Low / Normal / High / Critical",
    priorities=(
        Priority("critical", "Critical"),
        Priority("high", "High"),
        Priority("normal", "Normal"),
        Priority("low", "Low"),
    ),
    default="normal",
    from_matrix={1: "critical", 2: "high", 3: "normal", 4: "normal", 5: "low"},
)

HIGH_MEDIUM_LOW = PriorityScheme(
    key="high-medium-low",
    name="High / Medium / Low",
    priorities=(
        Priority("high", "High"),
        Priority("medium", "Medium"),
        Priority("low", "Low"),
    ),
    default="medium",
    from_matrix={1: "high", 2: "medium", 3: "medium", 4: "low", 5: "low"},
)

SCHEMES: dict[str, PriorityScheme] = {
    s.key: s for s in (IMPACT_URGENCY, SEVERITY, LOW_NORMAL_HIGH_CRITICAL, HIGH_MEDIUM_LOW)
}


def get_scheme(key: str) -> PriorityScheme:
    """Return the priority scheme with this key; KeyError if there is none."""
    try:
        return SCHEMES[key]
    except KeyError:
        raise KeyError(f"unknown priority scheme {key!r}; known: {sorted(SCHEMES)}") from None
