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


def test_property_is_idempotent(holder):
    assert holder.prop == 1
    assert holder.prop == 1


def test_method_call_may_change_state(rrset):
    assert rrset.count() == 6
    assert rrset.count() == 6


def test_impure_check_in_between(ss):
    assert ss.ranges is None
    assert ss.contains("1.2")
    assert ss.ranges is None
