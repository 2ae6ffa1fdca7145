import json
import unittest


def load_config(path):
    return {"path": path}


def list_users():
    return ["ada"]


def test_load_config():
    config = load_config("app.toml")
    assert config is not None  # [weak-assertion]


def test_list_users():
    assert len(list_users()) > 0  # [weak-assertion]


def test_config_shape():
    assert isinstance(load_config("app.toml"), dict)  # [weak-assertion]


class TestUsers(unittest.TestCase):
    def test_users(self):
        users = list_users()
        self.assertIsNotNone(users)  # [weak-assertion]


def test_payload_field():
    payload = json.loads('{"id": 3}')
    assert isinstance(payload["id"], int)  # [weak-assertion]


def test_config_path():
    assert load_config("b")["path"] is not None  # [weak-assertion]
