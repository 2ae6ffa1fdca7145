def search(query):
    return [query]


def parse(text):
    return {"text": text} if text else None


def test_search_results_match():
    results = search("ada")
    for result in results:  # [conditional-assertion]
        assert "ada" in result


def test_parse_keeps_text():
    parsed = parse("hello")
    if parsed is not None:  # [conditional-assertion]
        assert parsed["text"] == "hello"


class TestSearch:
    def test_pairs(self):
        expected = ["ada"]
        for got, want in zip(search("ada"), expected):  # [conditional-assertion]
            assert got == want
