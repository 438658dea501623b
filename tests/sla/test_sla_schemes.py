"""Priority schemes: the impact x urgency matrix, order, labels and defaults."""

import pytest

from servicedesk.sla import SCHEMES, get_scheme
from servicedesk.sla.schemes import IMPACT_URGENCY, LOW_NORMAL_HIGH_CRITICAL

# Seed 001: urgency high -> 1, 2, 3; medium -> 2, 3, 4; low -> 3, 4, 5 for impact H, M, L.
SEED_001 = {
    ("high", "high"): "p1", ("medium", "high"): "p2", ("low", "high"): "p3",
    ("high", "medium"): "p2", ("medium", "medium"): "p3", ("low", "medium"): "p4",
    ("high", "low"): "p3", ("medium", "low"): "p4", ("low", "low"): "p5",
}  # fmt: skip


@pytest.mark.parametrize(("impact", "urgency"), sorted(SEED_001))
def test_it_maps_impact_and_urgency_like_seed_001(impact: str, urgency: str) -> None:
    assert IMPACT_URGENCY.priority_for(impact, urgency) == SEED_001[(impact, urgency)]


def test_it_lists_all_nine_combinations() -> None:
    assert IMPACT_URGENCY.matrix() == SEED_001


@pytest.mark.parametrize("key", sorted(SCHEMES))
def test_it_gives_every_scheme_a_full_matrix_order_and_default(key: str) -> None:
    scheme = get_scheme(key)
    assert scheme.has(scheme.default)
    assert [scheme.rank(code) for code in scheme.codes()] == list(range(1, len(scheme.codes()) + 1))
    assert all(scheme.label(code) for code in scheme.codes())
    assert set(scheme.matrix().values()) <= set(scheme.codes())
    # The most urgent combination gets the most urgent priority; impact never lowers it.
    assert scheme.rank(scheme.priority_for("high", "high")) == 1
    for urgency in ("high", "medium", "low"):
        ranks = [scheme.rank(scheme.priority_for(i, urgency)) for i in ("high", "medium", "low")]
        assert ranks == sorted(ranks)


def test_it_defaults_mail_to_normal_in_the_four_level_scheme() -> None:
    assert LOW_NORMAL_HIGH_CRITICAL.default == "normal"
    assert LOW_NORMAL_HIGH_CRITICAL.codes() == ("critical", "high", "normal", "low")
    assert sorted(["low", "critical", "normal"], key=LOW_NORMAL_HIGH_CRITICAL.rank) == [
        "critical",
        "normal",
        "low",
    ]


def test_it_refuses_unknown_schemes_codes_and_levels() -> None:
    with pytest.raises(KeyError, match="unknown priority scheme"):
        get_scheme("nope")
    with pytest.raises(KeyError):
        IMPACT_URGENCY.rank("p9")
    with pytest.raises(KeyError):
        IMPACT_URGENCY.label("p9")
    with pytest.raises(ValueError):
        IMPACT_URGENCY.priority_for("huge", "high")
