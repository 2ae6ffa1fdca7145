import unittest
from unittest import mock
from unittest.mock import MagicMock, patch

from shop.mailer import send_receipt
from shop.orders import Order


def test_receipt_sent():
    mailer = MagicMock()
    send_receipt(Order(id=1), mailer)
    mailer.send.assert_called_ones()  # [mock-assertion-typo]
    mailer.send.called_once_with(to="a@b.c")  # [mock-assertion-typo]


def test_receipt_logged(mocker):
    logger = mocker.patch("shop.mailer.log")
    send_receipt(Order(id=2), MagicMock())
    assert logger.info.called_once_with("sent")  # [mock-assertion-typo]
    logger.warning.assert_not_called  # [mock-assertion-typo]


def test_receipt_retries():
    with patch("shop.mailer.smtp") as smtp:
        send_receipt(Order(id=3), MagicMock())
    smtp.connect.has_calls([mock.call("host"), mock.call("host")])  # [mock-assertion-typo]


class TestMailer(unittest.TestCase):
    @patch("shop.mailer.smtp")
    def test_closes_connection(self, smtp):
        send_receipt(Order(id=4), MagicMock())
        smtp.close.asert_called_once()  # [mock-assertion-typo]

    def test_named_mock(self):
        mock_queue = self.make_queue()
        send_receipt(Order(id=5), mock_queue)
        self.assertTrue(mock_queue.put.called_once)  # [mock-assertion-typo]
