import httpx
import requests
import respx
import responses


@responses.activate
def test_get_rates():
    responses.add(responses.GET, "https://api.example.com/rates", json={"EUR": 1.1})
    assert requests.get("https://api.example.com/rates").json() == {"EUR": 1.1}


def test_get_rates_forgot_activation():
    responses.get("https://api.example.com/rates", json={"EUR": 1.2})  # [inactive-http-mock]
    assert requests.get("https://api.example.com/rates").json() == {"EUR": 1.2}


@respx.mock
def test_respx_active():
    respx.get("https://api.example.com/users").respond(json=[])
    assert httpx.get("https://api.example.com/users").json() == []


def test_respx_forgot_activation():
    route = respx.get("https://api.example.com/users").respond(json=[])  # [inactive-http-mock]
    assert httpx.get("https://api.example.com/users").json() == []
    assert route.called
