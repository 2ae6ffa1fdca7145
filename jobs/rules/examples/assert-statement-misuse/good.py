def count_rows(table):
    return len(table)


def test_rows():
    table = [1, 2]
    n = count_rows(table)
    assert n > 0
    assert n == 2


def test_walrus_only_inside():
    assert (n := count_rows([1])) == 1 and n > 0


def test_message():
    table = [1]
    assert count_rows(table) == 1, f"unexpected count {count_rows(table)}"
