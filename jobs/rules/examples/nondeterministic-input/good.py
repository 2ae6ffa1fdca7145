import random
import time
from datetime import datetime, timezone

import freezegun


def test_bounds(run):
    start = datetime.now(timezone.utc)
    stamp = run()
    assert start <= stamp < datetime.now(timezone.utc)


def test_duration(run):
    begin = time.monotonic()
    run()
    assert time.monotonic() - begin < 5


def test_tolerance(event):
    assert abs(event.stamp - time.time()) < 60


@freezegun.freeze_time("2024-01-01")
def test_frozen(report):
    assert report.day == datetime.now().date()


def test_frozen_fixture(freezer, report):
    assert report.stamp == time.time()


def test_seeded():
    random.seed(1234)
    values = [3, 1, 2]
    random.shuffle(values)
    assert sorted(values) == [1, 2, 3]


def test_local_generator():
    rng = random.Random(42)
    assert 0 <= rng.random() < 1
