import pytest

from shop.orders import Order, OrderError

try:
    import numpy
except ImportError:
    numpy = None


def test_cancel_twice():
    order = Order()
    order.cancel()
    with pytest.raises(OrderError):
        order.cancel()


def test_optional_dependency():
    try:
        import numpy as np
    except ImportError:
        pytest.skip("numpy not installed")
    assert np.array([1]).sum() == 1


def test_cleanup(tmp_path):
    path = tmp_path / "order.json"
    try:
        Order().save(path)
        assert path.exists()
    finally:
        path.unlink()


def test_error_type_is_raised_by_the_test():
    with pytest.raises(OrderError, match="boom"):
        raise OrderError("boom")
