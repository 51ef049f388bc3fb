"""Fixtures of the Playwright tests: one Chromium per module, every wait bounded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import WAIT_MS, launch_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium per test module; each test opens its own contexts."""
    yield from launch_chromium()


@pytest.fixture(autouse=True)
def _bounded_waits() -> None:
    """Every `expect` gives up after WAIT_MS, so a broken page fails instead of hanging."""
    expect.set_options(timeout=WAIT_MS)
