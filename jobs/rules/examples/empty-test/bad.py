def test_not_written_yet():  # [empty-test]
    pass


class TestOrders:
    def test_cancel(self):  # [empty-test]
        """Cancelling an order refunds it."""
        ...
