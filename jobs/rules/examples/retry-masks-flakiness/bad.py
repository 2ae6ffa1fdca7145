import pytest
from flaky import flaky
from tenacity import retry, stop_after_attempt


@pytest.mark.flaky(reruns=3)  # [retry-masks-flakiness]
def test_upload():
    assert len("payload") == 7


@flaky(max_runs=3)  # [retry-masks-flakiness]
def test_download():
    assert "data".encode() == b"data"


@retry(stop=stop_after_attempt(3))  # [retry-masks-flakiness]
def test_sync():
    assert sorted([2, 1]) == [1, 2]
