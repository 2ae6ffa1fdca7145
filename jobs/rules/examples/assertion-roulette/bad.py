def parse(text):
    name, _, age = text.partition(":")
    return {"name": name, "age": int(age), "adult": int(age) >= 18, "initial": name[:1]}


def test_parse():  # [assertion-roulette]
    person = parse("ada:36")
    assert person["name"] == "ada"
    assert person["age"] == 36
    assert person["adult"]
    assert person["initial"] == "a"
