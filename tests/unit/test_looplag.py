"""The event-loop lag figures: nearest-rank percentiles over a window of one minute."""

from __future__ import annotations

from server.web.looplag import LagFigures, LoopLag


def test_percentiles_of_the_window() -> None:
    lag = LoopLag()
    for i in range(98):
        lag.record(i * 0.5, 0.001)
    lag.record(49.0, 0.05)
    lag.record(49.5, 0.2)
    # 100 samples within the minute: the 99th is the second worst.
    assert lag.figures() == LagFigures(samples=100, p50_s=0.001, p99_s=0.05, max_s=0.2)


def test_an_old_spike_leaves_the_window() -> None:
    lag = LoopLag(window_s=60.0)
    lag.record(0.0, 1.5)
    lag.record(30.0, 0.002)
    assert lag.figures().max_s == 1.5
    lag.record(61.0, 0.003)
    assert lag.figures() == LagFigures(samples=2, p50_s=0.002, p99_s=0.003, max_s=0.003)


def test_no_samples_yet() -> None:
    assert LoopLag().figures() == LagFigures(0, 0.0, 0.0, 0.0)
