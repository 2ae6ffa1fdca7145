def parse(text):
    return int(text.strip())


def test_parse_plain():
    text = "42"
    value = parse(text)
    assert value == 42


def test_parse_padded():  # [duplicate-test-code]
    text = "  7 "
    value = parse(text)
    assert value == 7


def test_parse_plain_again():  # [duplicate-test-code]
    text = "42"
    value = parse(text)
    assert value == 42
