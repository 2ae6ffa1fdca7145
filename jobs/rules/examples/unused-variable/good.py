def test_used_later():
    values = [1, 2]
    total = sum(values)
    assert total == 3


def test_unpacking_and_loops():
    first, _rest = "a", "b"
    for i in range(2):
        assert first == "a"


def test_closure_reads_it():
    factor = 2

    def double(x):
        return x * factor

    assert double(2) == 4


def test_underscore():
    _ignored = len("abc")
    assert "abc"[0] == "a"
