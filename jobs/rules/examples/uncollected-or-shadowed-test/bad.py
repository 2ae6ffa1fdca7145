def test_parse():  # [uncollected-or-shadowed-test]
    assert int("1") == 1


def test_format():
    assert f"{1:03d}" == "001"


def test_parse():
    assert int("2") == 2


class TestUser:
    def test_name(self):  # [uncollected-or-shadowed-test]
        assert "ada".title() == "Ada"

    def test_name(self):
        assert "bob".title() == "Bob"
