"""The suite's fixed clock (tests/conftest.py): each test starts at TEST_NOW on the clock the app
reads, and time moves on from there; a ``real_clock`` test runs on the machine's clock."""

import time
from datetime import timedelta

import pytest
import time_machine

from caseapp.core.timeutil import utcnow

from .conftest import TEST_NOW

# How far past TEST_NOW a test may have got by its first line: a margin for a slow machine (the
# clock ticks), not a duration being measured.
MARGIN = timedelta(minutes=10)
IMPORTED_AT = utcnow()  # when the module was collected: a value computed at import, like a parametrize one


@pytest.mark.real_clock
def test_a_real_clock_test_runs_on_the_machines_clock():
    assert not time_machine.escape_hatch.is_travelling()


def test_a_test_starts_at_the_fixed_instant_and_its_clock_moves_on():
    # after the real_clock test above: the tests that follow one are on the fixed clock again
    assert time_machine.escape_hatch.is_travelling()
    start = utcnow()
    assert TEST_NOW <= start < TEST_NOW + MARGIN
    time.sleep(0.01)
    assert utcnow() > start


def test_what_a_module_computes_when_imported_is_of_the_fixed_day():
    assert TEST_NOW <= IMPORTED_AT < TEST_NOW + MARGIN
