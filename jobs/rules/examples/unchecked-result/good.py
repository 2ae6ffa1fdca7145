import pytest

from shop.cli import main, prompt
from shop.parse import ParseError, parse_price


def test_rejects_garbage():
    with pytest.raises(ParseError) as exc_info:
        parse_price("abc")
    assert exc_info.value.position == 0


def test_prints_summary(capsys):
    main(["summary"])
    out, _ = capsys.readouterr()
    assert "total" in out


def test_prompt_value(capfd, monkeypatch):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("5\n"))
    value = prompt("qty", type=int)
    capfd.readouterr()  # clear the echoed prompt; the value is what is checked
    assert value == 5


def test_clear_then_read(capsys):
    main(["warmup"])
    capsys.readouterr()
    main(["summary"])
    captured = capsys.readouterr()
    assert captured.out.startswith("total")


def test_logs_are_not_this_rule(caplog):
    main(["summary"])
    assert main(["summary"]) == 0
