import pytest


@pytest.fixture
def db():
    return {"rows": []}


@pytest.fixture
def clean_cache():
    yield
    print("cache cleared")


def test_insert(db, clean_cache):  # [unused-fixture-argument]
    db["rows"].append(1)
    assert db["rows"] == [1]


class TestQueries:
    def test_count(self, db, tmp_path):  # [unused-fixture-argument]
        assert db["rows"] == []
