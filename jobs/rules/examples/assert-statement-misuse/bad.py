def count_rows(table):
    return len(table)


def test_rows():
    table = [1, 2]
    assert (n := count_rows(table)) > 0  # [assert-statement-misuse]
    assert n == 2


def test_message_printed():
    table = [1]
    assert count_rows(table) == 1, print("unexpected count")  # [assert-statement-misuse]


def test_expected_as_message():
    table = [1, 2, 3]
    assert count_rows(table), 3  # [assert-statement-misuse]
