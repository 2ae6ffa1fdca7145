import unittest
from unittest.mock import MagicMock, create_autospec, patch

from shop.fakes import FakeServer
from shop.mailer import Mailer, send_receipt
from shop.orders import Order


def test_receipt_sent():
    mailer = MagicMock()
    send_receipt(Order(id=1), mailer)
    mailer.send.assert_called_once_with(to="a@b.c")
    assert mailer.send.called
    assert mailer.send.call_count == 1


def test_custom_fake_with_its_own_assertions(mock_server):
    send_receipt(Order(id=2), mock_server)
    mock_server.assert_received_one_request()  # a method of a hand-written fake, not Mock


def test_fake_object():
    server = FakeServer()
    send_receipt(Order(id=3), server)
    server.assert_delivered(1)


def test_specced_mock_may_have_assert_methods():
    checker = create_autospec(Mailer)
    send_receipt(Order(id=4), checker)
    checker.assert_valid_address("a@b.c")


def test_patch_with_replacement_object():
    fake = FakeServer()
    with patch("shop.mailer.server", fake) as server:
        send_receipt(Order(id=5), MagicMock())
    server.assert_delivered(1)


class TestMailer(unittest.TestCase):
    @patch("shop.mailer.Mailer", autospec=True)
    def test_autospecced_argument(self, mailer_cls):
        send_receipt(Order(id=7), mailer_cls())
        mailer_cls.return_value.assert_valid_address("a@b.c")

    @patch("shop.mailer.smtp")
    def test_closes_connection(self, smtp):
        send_receipt(Order(id=6), MagicMock())
        smtp.close.assert_called_once()
        self.assertEqual(smtp.close.call_count, 1)
