import warnings

import pytest

from shop.orders import Order, OrderError


def test_cancel_twice():
    order = Order(items=[("pen", 1)])
    order.cancel()
    with pytest.raises(OrderError) as exc_info:
        order.cancel()
    assert exc_info.value.order is order


def test_comparison_is_the_act():
    with pytest.raises(TypeError):
        assert Order() < 3


def test_class_definition_is_the_act():
    with pytest.raises(TypeError):

        class Broken(Order):
            items = 3


def test_context_needed_by_the_act(app):
    with pytest.raises(OrderError):
        with app.context():
            Order().cancel()


def test_iteration_is_the_act():
    with pytest.raises(OrderError):
        for _ in Order().iter_lines(strict=True):
            pass


def test_dispatch_on_parameter(mode):
    with pytest.raises(OrderError):
        if mode == "json":
            Order.from_json("{}")
        else:
            Order.from_dict({})


def test_should_not_get_here():
    with pytest.raises(OrderError):
        Order().cancel()
        assert False, "cancel should have raised"


def test_warning_block_runs_every_statement():
    with pytest.warns(DeprecationWarning, match="legacy"):
        order = Order(legacy=True)
        assert order.total == 0


def test_nested_expectations():
    with pytest.warns(UserWarning):
        with pytest.raises(OrderError):
            Order().cancel()


def test_block_raises_on_purpose(app):
    with pytest.raises(OrderError):
        with app.transaction():
            Order().save()
            raise OrderError("rollback")

