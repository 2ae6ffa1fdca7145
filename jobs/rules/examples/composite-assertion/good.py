import unittest


def parse(text):
    return {"name": text, "size": len(text)}


def test_parse():
    result = parse("ada")
    assert result["name"] == "ada"
    assert result["size"] == 3


def test_either_is_fine():
    result = parse("ada")
    assert result["name"] == "ada" or result["size"] == 3


def test_not_both():
    result = parse("ada")
    assert not (result["name"] and result["size"] == 0)


class TestParse(unittest.TestCase):
    def test_true_and(self):
        result = parse("ada")
        self.assertTrue(result["name"] and result["size"])
