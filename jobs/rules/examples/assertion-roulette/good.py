def parse(text):
    name, _, age = text.partition(":")
    return {"name": name, "age": int(age), "adult": int(age) >= 18, "initial": name[:1]}


def test_parse_whole():
    assert parse("ada:36") == {"name": "ada", "age": 36, "adult": True, "initial": "a"}


def test_parse_with_messages():
    person = parse("ada:36")
    assert person["name"] == "ada", "name"
    assert person["age"] == 36, "age"
    assert person["adult"], "adult flag"
    assert person["initial"] == "a", "initial"


def test_three_are_fine():
    person = parse("ada:36")
    assert person["name"] == "ada"
    assert person["age"] == 36
    assert person["adult"]
