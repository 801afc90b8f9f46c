import pytest

from bot.dedupe import SeenIds
from tests.fake_clock import Clock


def test_repeat_within_ttl_is_not_first_time() -> None:
    seen = SeenIds(ttl_seconds=60, clock=Clock())
    assert seen.first_time("wamid.1") is True
    assert seen.first_time("wamid.1") is False
    assert seen.first_time("wamid.2") is True


def test_id_is_forgotten_after_ttl() -> None:
    clock = Clock()
    seen = SeenIds(ttl_seconds=60, clock=clock)
    seen.first_time("wamid.1")
    clock.now = 61
    assert seen.first_time("wamid.1") is True


def test_size_is_bounded_oldest_first() -> None:
    seen = SeenIds(ttl_seconds=60, max_size=2, clock=Clock())
    for item in ("a", "b", "c"):
        seen.first_time(item)
    assert len(seen) == 2
    assert seen.first_time("a") is True
    assert seen.first_time("c") is False


@pytest.mark.parametrize(("ttl", "size"), [(0, 1), (1, 0), (-1, 5)])
def test_invalid_bounds_are_refused(ttl: float, size: int) -> None:
    with pytest.raises(ValueError):
        SeenIds(ttl_seconds=ttl, max_size=size)
