import random
import time
import uuid
from datetime import date, datetime


def test_created_today(make_invoice):
    invoice = make_invoice()
    assert invoice.created == date.today()  # [nondeterministic-input]


def test_stamp(event):
    assert event.stamp == int(time.time())  # [nondeterministic-input]


def test_token_is_fresh(session):
    assert session.token != uuid.uuid4()  # [nondeterministic-input]


def test_sort_is_stable():
    values = [3, 1, 2]
    random.shuffle(values)  # [nondeterministic-input]
    assert sorted(values) == [1, 2, 3]


def test_report_header(report):
    assert report.header == datetime.now().strftime("%Y-%m-%d")  # [nondeterministic-input]
