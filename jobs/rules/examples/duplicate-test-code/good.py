def parse(text):
    return int(text.strip())


def render(value):
    return f"<{value}>"


def test_parse():
    text = "42"
    value = parse(text)
    assert value == 42


def test_render():
    text = "42"
    value = render(text)
    assert value == "<42>"


def test_short_one():
    assert parse("1") == 1


def test_short_two():
    assert parse("2") == 2


def test_program_one(pytester):
    pytester.makepyfile("""
        def test_a():
            assert 1
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_program_two(pytester):
    pytester.makepyfile("""
        def test_b():
            assert 0
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
