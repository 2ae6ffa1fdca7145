import pytest


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("42", 42),
        ("1", 1),  # [duplicate-parametrize-case]
    ],
)
def test_parse(value, expected):
    assert int(value) == expected


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://a.example/", id="plain"),
        pytest.param("http://a.example/", id="again"),  # [duplicate-parametrize-case]
    ],
)
def test_url(url):
    assert url.startswith("http")
