import unittest

import pytest


@pytest.fixture
def user():
    return {"name": "ada"}


def test_greeting(user):
    assert user["name"] == "ada"


@pytest.mark.parametrize("attempts", [1, 3])
def test_retries(attempts=3):
    assert attempts > 0


class TestLegacy(unittest.TestCase):
    def test_default(self, n=2):
        self.assertEqual(n, 2)
