"""The protected release: worked attacks from the review, and a hypothesis property with an independent
attacker (tests/api/attacker.py) who must never narrow a hidden small count below its full range."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.release import DIMENSIONS, Cell, is_settled, protect_period, protection_level
from api.suppression import round_to_base
from tests.api.attacker import attack

pytestmark = pytest.mark.app_env

THRESHOLD, BASE = 10, 5
TOPICS = ("toeslagen", "email")
TARGETS = (None, "informatiepunt", "digid_helpdesk")
GEMEENTEN = (None, "kerkrade", "simpelveld")
CHANNELS = ("web", "whatsapp")
HELPFUL = (None,)
VOCABULARY = (TOPICS, TARGETS, GEMEENTEN, CHANNELS, HELPFUL)


def _assert_safe(counts: dict[Cell, int], vocabulary=VOCABULARY) -> None:
    """No hidden small count can be narrowed to exclude a value within the protection level of the truth."""
    release = protect_period(counts, threshold=THRESHOLD, base=BASE)
    level = protection_level(THRESHOLD)
    for fixed, low, high, floor in attack(release, vocabulary, threshold=THRESHOLD, base=BASE):
        truth = sum(n for cell, n in counts.items() if all(cell[d] == v for d, v in fixed.items()))
        assert low <= max(floor, truth - level) + 1e-6, (fixed, truth, low, high)
        assert high >= min(THRESHOLD - 1, truth + level) - 1e-6, (fixed, truth, low, high)


def test_two_hidden_cells_and_a_total_of_twenty_do_not_give_nine_and_nine_away():
    # The review's example: web <10, whatsapp <10, other channels 0, total 20 meant both were exactly 9.
    counts = {("toeslagen", None, None, "web", None): 9, ("toeslagen", None, None, "whatsapp", None): 9}
    release = protect_period(counts)
    assert release.margins["channel"]["web"].shown == "<10"
    assert release.total.count is None  # the total 18 (shown 20) would pin both
    _assert_safe(counts)


def test_a_count_hidden_in_one_grouping_is_not_published_in_another():
    # 4 referrals from Simpelveld, all to the Informatiepunt; 30 from Kerkrade to the DigiD helpdesk. The target
    # margin, the municipality margin and the cross table all describe the same 4.
    counts = {
        ("toeslagen", "informatiepunt", "simpelveld", "web", None): 4,
        ("toeslagen", "digid_helpdesk", "kerkrade", "web", None): 30,
    }
    release = protect_period(counts)
    assert release.margins["gemeente"]["simpelveld"].shown == "<10"
    assert release.margins["target"]["informatiepunt"].shown == "<10"
    assert release.crosses[("gemeente", "target")][("simpelveld", "informatiepunt")].shown == "<10"
    _assert_safe(counts)


def test_published_counts_are_rounded_and_zero_stays_zero():
    counts = {("email", None, "kerkrade", "web", None): 23, ("email", None, "simpelveld", "web", None): 31}
    release = protect_period(counts)
    assert release.margins["gemeente"]["kerkrade"].shown == "25"
    assert release.margins["gemeente"]["simpelveld"].shown == "30"
    assert release.margin("gemeente", "voerendaal").shown == "0"
    assert release.total.shown == "55"


def test_small_counts_that_pin_each_other_are_widened():
    # Nine referrals from Kerkrade: one to each of two desks, seven without a desk. The municipality shows
    # "<10", so the two single referrals could be read as "at most 1 each" unless a bound is dropped.
    counts = {
        ("email", "informatiepunt", "kerkrade", "web", None): 1,
        ("email", "digid_helpdesk", "kerkrade", "web", None): 1,
        ("email", None, "kerkrade", "web", None): 7,
    }
    _assert_safe(counts)


def test_without_suppression_every_count_is_exact():
    counts = {("email", None, "kerkrade", "web", None): 3}
    release = protect_period(counts, threshold=1, base=1)
    assert release.total.count == 3 and release.margins["gemeente"]["kerkrade"].count == 3


def test_a_period_is_settled_only_after_the_late_event_window():
    import datetime as dt

    sunday = dt.date(2026, 11, 22)
    assert not is_settled(sunday, dt.date(2026, 11, 29))
    assert is_settled(sunday, dt.date(2026, 11, 30))


@pytest.mark.parametrize(("value", "rounded"), [(10, 10), (12, 10), (13, 15), (17, 15), (18, 20), (0, 0)])
def test_round_half_up_to_base_five(value, rounded):
    assert round_to_base(value, 5) == rounded


def _cells() -> st.SearchStrategy[dict[Cell, int]]:
    keys = st.tuples(*(st.sampled_from(values) for values in VOCABULARY))
    counts = st.one_of(st.integers(1, 12), st.integers(1, 60))
    return st.dictionaries(keys, counts, max_size=6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cells())
def test_no_published_release_lets_a_solver_pin_a_hidden_count(counts):
    release = protect_period(counts, threshold=THRESHOLD, base=BASE)
    truth: dict[tuple[str, object], int] = {}
    for cell, n in counts.items():
        for index, dimension in enumerate(DIMENSIONS):
            truth[(dimension, cell[index])] = truth.get((dimension, cell[index]), 0) + n
    for (dimension, value), n in truth.items():
        shown = release.margins[dimension][value]
        if 0 < n < THRESHOLD:
            assert shown.count is None  # "<10", or "x" where its bound had to go
        if shown.count is not None:
            assert shown.count == 0 or shown.count >= THRESHOLD
            assert abs(shown.count - n) <= BASE // 2
    _assert_safe(counts)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.tuples(
            st.just("email"),
            st.just(None),
            st.sampled_from(GEMEENTEN),
            st.just("web"),
            st.sampled_from(("true", "false")),
        ),
        st.integers(1, 30),
        max_size=6,
    )
)
def test_helpfulness_per_municipality_cannot_be_worked_out_either(counts):
    _assert_safe(counts, (("email",), (None,), GEMEENTEN, ("web",), (None, "true", "false")))
