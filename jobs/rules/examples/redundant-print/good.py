import io


def test_writes_to_stream():
    stream = io.StringIO()
    print("hello", file=stream)
    assert stream.getvalue() == "hello\n"


def test_captured_output(capsys):
    print("hello")
    assert capsys.readouterr().out == "hello\n"


def test_print_is_the_act():
    import pytest

    with pytest.raises(AttributeError):
        print(object().missing)
