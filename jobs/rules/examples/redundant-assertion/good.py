def test_state_changed_between(client):
    rv = client.get("/a")
    assert rv.status_code == 200
    rv = client.get("/b")
    assert rv.status_code == 200


def test_iterator_advances():
    it = iter([1, 1])
    assert next(it) == 1
    assert next(it) == 1


def test_different_checks():
    values = [1, 2]
    assert sum(values) == 3
    assert max(values) == 2
