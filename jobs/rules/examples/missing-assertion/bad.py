import json


def test_parse_payload():  # [missing-assertion]
    json.loads('{"id": 1}')


class TestInvoice:
    def test_total(self):  # [missing-assertion]
        values = [1, 2, 3]
        sum(values)


def test_loads_without_crash():  # [missing-assertion]
    json.loads("[]")
