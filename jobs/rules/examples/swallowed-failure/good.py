import pytest

from shop.db import connect
from shop.orders import Order, submit


def test_teardown_sees_previous_exception(app):
    seen = []
    app.on_teardown(seen.append)
    try:
        raise Exception("dummy")  # the test raises on purpose to set up the state it checks
    except Exception:
        pass
    with app.context():
        assert seen == []
    assert seen == [None]


def test_fallback_assertion():
    order = Order(items=[("pen", 1)])
    try:
        assert order.lines == [("pen", 1)]
    except AssertionError:
        assert order.lines == [("pen", 1.0)]  # the handler checks the other accepted form


def test_counts_evaluations(counter):
    try:
        counter.run()
    except AssertionError:
        pass
    assert counter.calls == 1  # the test checks something outside the try


def test_expect_any_error():
    try:
        submit(Order(items=None))
    except Exception:
        pass
    else:
        pytest.fail("submit should reject a missing item list")


def test_needs_database():
    try:
        db = connect()
    except Exception:
        pytest.skip("database not available")
    assert db.ping()


def test_errors_are_recorded():
    errors = []
    try:
        submit(Order(items=[]))
    except Exception as exc:
        errors.append(exc)
    assert not errors


def test_specific_exception_is_fine():
    order = Order(items=[("pen", 1)])
    try:
        order.cancel()
    except KeyError:
        pass
    assert order.cancelled


def test_pytest_fail_is_not_caught_by_exception():
    try:
        submit(Order(items=None))
        pytest.fail("should have raised")
    except Exception:
        pass
