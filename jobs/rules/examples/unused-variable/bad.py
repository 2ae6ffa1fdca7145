def test_total():
    values = [1, 2]
    snapshot = max(values)  # [unused-variable]
    assert sum(values) == 3


class TestInvoice:
    def test_lines(self):
        lines = ["a", "b"]
        count = len(lines)  # [unused-variable]
        assert lines[0] == "a"
