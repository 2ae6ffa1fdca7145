def test_total():
    values = [1, 2, 3]
    print(values)  # [redundant-print]
    assert sum(values) == 6


class TestReport:
    def test_render(self):
        text = "report"
        print("rendered:", text)  # [redundant-print]
        assert text.upper() == "REPORT"
