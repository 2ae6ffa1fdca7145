def parse(text):
    return {"name": text, "size": len(text)}


def test_parse():
    result = parse("ada")
    assert result["name"] == "ada" and result["size"] == 3  # [composite-assertion]


def test_parse_rejects_nothing():
    result = parse("")
    assert not (result["name"] or result["size"])  # [composite-assertion]
