import requests

OPENAI_KEY = "sk-Qm7Rt2Vx9Lp4Zk8Nw3Bd6Hs1Fg5Jc0Ay"  # [hardcoded-credentials]
SESSION = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiAidV84M2pkOTIiLCAib3JnIjogImFjbWUiLCAiZXhwIjogMTg5MzQ1NjAwMH0.Xk29dLq8vN3mZp0aB7cR5tY1uW4eI6oP"  # [hardcoded-credentials]


def test_upload(client):
    api_key = "f3Vq9ZLx2mK7rT8wYb4N"  # [hardcoded-credentials]
    assert client.upload(api_key=api_key).ok


def test_login():
    payload = {"password": "Tr0ub4dor&3xKq9!zL"}  # [hardcoded-credentials]
    response = requests.post("https://example.test/login", json=payload, timeout=5)
    assert response.ok
