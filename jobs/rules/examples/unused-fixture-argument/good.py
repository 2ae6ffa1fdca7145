from unittest import mock

import pytest


@pytest.fixture
def db():
    return {"rows": []}


@pytest.mark.usefixtures("db")
def test_side_effect_only():
    assert True is not False


@pytest.mark.parametrize("value", [1, 2])
def test_param_unused(value, db):
    assert db["rows"] == []


@mock.patch("os.getcwd")
def test_patched(mock_getcwd, db):
    assert db["rows"] == []


def test_reads_all(db, tmp_path):
    assert db["rows"] == [] and tmp_path.exists()
