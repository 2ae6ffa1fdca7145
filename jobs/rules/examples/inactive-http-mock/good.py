import unittest

import httpx
import pytest
import requests
import respx
import responses


@pytest.fixture
def mocked_responses():
    with responses.RequestsMock() as rsps:
        yield rsps


@pytest.fixture
def api():
    responses.start()
    yield
    responses.stop()
    responses.reset()


@responses.activate
def test_decorated():
    responses.add(responses.GET, "https://api.example.com/rates", json={"EUR": 1.1})
    assert requests.get("https://api.example.com/rates").json() == {"EUR": 1.1}


def test_context_manager():
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, "https://api.example.com/rates", json={})
        responses.add(responses.GET, "https://api.example.com/other", json={})
        assert requests.get("https://api.example.com/rates").json() == {}


def test_fixture_named_after_it(mocked_responses):
    mocked_responses.get("https://api.example.com/rates", json={})
    assert requests.get("https://api.example.com/rates").json() == {}


def test_activating_fixture(api):
    responses.get("https://api.example.com/rates", json={})
    assert requests.get("https://api.example.com/rates").json() == {}


def test_local_variable_named_responses(client):
    responses = {"a": 1}
    assert responses.get("a") == 1


def test_respx_fixture(respx_mock):
    respx.get("https://api.example.com/users").respond(json=[])
    assert httpx.get("https://api.example.com/users").json() == []


class TestRates(unittest.TestCase):
    def setUp(self):
        responses.start()
        self.addCleanup(responses.stop)

    def test_rates(self):
        responses.add(responses.GET, "https://api.example.com/rates", json={})
        self.assertEqual(requests.get("https://api.example.com/rates").json(), {})
