import re

import pytest


def load_config(path):
    return {"path": path}


class Dog:
    pass


def adopt(kind):
    return Dog()


def test_load_config():
    config = load_config("app.toml")
    assert config == {"path": "app.toml"}


def test_pattern_matches():
    # None is how re.match says "no match": this is the real check
    assert re.match(r"\d+", "123") is not None


def test_lookup_found():
    assert {"a": 1}.get("a") is not None


def test_adopt_picks_the_right_class():
    # a specific class is the behaviour under test (dispatch, unions, factories)
    assert isinstance(adopt("dog"), Dog)


def test_guard_then_use():
    config = load_config("app.toml")
    assert config is not None
    config.clear()


def test_config_returns_dict():
    assert isinstance(load_config("a"), dict)


def test_config_smoke():
    assert load_config("a") is not None


def test_shape_and_value():
    config = load_config("a")
    assert config is not None
    assert config["path"] == "a"
