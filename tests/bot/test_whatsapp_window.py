from bot.whatsapp.window import SAFETY_MARGIN_SECONDS, WINDOW_SECONDS, ServiceWindow
from tests.fake_clock import Clock


def test_window_open_after_inbound_and_closed_after_24_hours() -> None:
    clock = Clock(1_000_000.0)
    window = ServiceWindow(clock=clock)
    assert window.is_open("p1") is False
    window.record_inbound("p1", clock.now)
    assert window.is_open("p1") is True
    clock.now += WINDOW_SECONDS - SAFETY_MARGIN_SECONDS
    assert window.is_open("p1") is False


def test_older_redelivery_does_not_move_the_window_back() -> None:
    clock = Clock(1_000_000.0)
    window = ServiceWindow(clock=clock)
    window.record_inbound("p1", clock.now)
    window.record_inbound("p1", clock.now - 2 * WINDOW_SECONDS)
    assert window.is_open("p1") is True


def test_window_memory_is_bounded() -> None:
    clock = Clock(1_000_000.0)
    window = ServiceWindow(max_size=1, clock=clock)
    window.record_inbound("p1", clock.now)
    window.record_inbound("p2", clock.now)
    assert window.is_open("p1") is False and window.is_open("p2") is True
