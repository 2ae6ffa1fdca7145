"""The hybrid selector: which tests go to the LLM, with which signals and which similar sibling."""

from __future__ import annotations

import textwrap

import pytest

from jobs.contracts import QualityIssue
from jobs.engine.facts import BatchFacts, ModuleFacts
from jobs.engine.facts import TestFacts as ParsedTest
from jobs.engine.parse import parse_batch
from jobs.engine.select import select_tests, signals, similar_names


def batch_of(*files: tuple[str, str]) -> BatchFacts:
    batch = parse_batch([(path, textwrap.dedent(source)) for path, source in files])
    assert not batch.unparsed, batch.unparsed
    return batch


def only_test(source: str) -> ParsedTest:
    (module,) = batch_of(("test_s.py", source)).modules
    (test,) = module.tests
    return test


def issue(path: str, line: int, code: str) -> QualityIssue:
    return QualityIssue(file_path=path, line=line, column=4, severity="info", code=code, message="m")


def selected(
    batch: BatchFacts,
    issues: list[QualityIssue] | None = None,
    *,
    everything: bool = False,
    only: set[tuple[str, str]] | None = None,
) -> dict[str, list[str]]:
    chosen = select_tests(batch, issues or [], everything=everything, only=only)
    return {s.test.qualname: s.signals for s in chosen}


# --------------------------------------------------------------------------- similar names


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("test_parse_invoice_basic", "test_parse_invoice_unicode"),
        ("test_user_login_ok", "test_user_logout_ok"),
        ("test_Parse_Invoice_Basic", "test_parse_invoice_empty"),
    ],
)
def test_names_differing_in_one_word_and_sharing_two_are_similar(a: str, b: str) -> None:
    assert similar_names(a, b)
    assert similar_names(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("test_add", "test_add_negative"),  # short names must not make everything similar
        ("test_a", "test_b"),
        ("test_add", "test_sub"),
        ("test_add_one", "test_add_two"),  # one shared word is not enough
        ("test_parse_invoice_basic", "test_parse_invoice_basic_unicode"),
        ("test_parse_invoice_basic", "test_render_receipt_basic"),  # two words differ
    ],
)
def test_short_or_too_different_names_are_not_similar(a: str, b: str) -> None:
    assert not similar_names(a, b)


# --------------------------------------------------------------------------- signals


SIGNALLED = {
    "time.sleep": ("sleep", "import time\n\ndef test_s():\n    time.sleep(0.5)\n    assert done() == 1\n"),
    "imported-sleep": (
        "sleep",
        "from time import sleep\n\ndef test_s():\n    sleep(2)\n    assert done() == 1\n",
    ),
    "asyncio.sleep": ("sleep", "import asyncio\n\nasync def test_s():\n    await asyncio.sleep(1)\n"),
    "global": ("shared-state", "N = 0\n\ndef test_s():\n    global N\n    N += 1\n    assert N == 1\n"),
    "environ-item": (
        "shared-state",
        "import os\n\ndef test_s():\n    os.environ['M'] = 'x'\n    assert m() == 1\n",
    ),
    "environ-update": ("shared-state", "import os\n\ndef test_s():\n    os.environ.update(M='x')\n"),
    "environ-nested": (
        "shared-state",
        "import os\n\ndef test_s():\n    if True:\n        os.environ['M'] = 'x'\n    assert m() == 1\n",
    ),
    "environ-del": ("shared-state", "from os import environ\n\ndef test_s():\n    del environ['M']\n"),
    "many-checks": ("many-checks", "def test_s():\n" + "".join(f"    assert r.{a} == 1\n" for a in "abcd")),
    "mocks": (
        "mocks",
        "from unittest.mock import patch\n\n@patch('a.x')\n@patch('a.y')\n@patch('a.z')\n"
        "def test_s(x, y, z):\n    assert run() == 1\n",
    ),
    "truthiness": ("truthiness", "def test_s():\n    result = compute()\n    assert result\n"),
    "exception-flow": (
        "exception-flow",
        "def test_s():\n    try:\n        run()\n    except ValueError:\n        pass\n"
        "    assert state() == 1\n",
    ),
    "external-resource": (
        "external-resource",
        "def test_s():\n    with open('data.txt') as f:\n        assert f.read() == 'x'\n",
    ),
}


@pytest.mark.parametrize(("expected", "source"), SIGNALLED.values(), ids=SIGNALLED.keys())
def test_each_judgement_signal_is_raised_by_its_pattern(expected: str, source: str) -> None:
    assert signals(only_test(source)) == [expected]


UNSIGNALLED = {
    "sleep-zero": "import time\n\ndef test_s():\n    time.sleep(0)\n    assert done() == 1\n",  # a yield
    "monkeypatch-env": "def test_s(monkeypatch):\n    monkeypatch.setenv('M', 'x')\n    assert m() == 'x'\n",
    "three-checks": "def test_s():\n" + "".join(f"    assert r.{a} == 1\n" for a in "abc"),
    "two-patches": "from unittest.mock import patch\n\n@patch('a.x')\n@patch('a.y')\ndef test_s(x, y):\n"
    "    assert run() == 1\n",
    "equality": "def test_s():\n    assert compute() == 3\n",
    "negation": "def test_s():\n    assert not compute()\n",
}


@pytest.mark.parametrize("source", UNSIGNALLED.values(), ids=UNSIGNALLED.keys())
def test_ordinary_tests_raise_no_signal(source: str) -> None:
    assert signals(only_test(source)) == []


def test_signals_come_in_a_stable_order() -> None:
    test = only_test(
        """
        import time

        def test_s():
            try:
                time.sleep(1)
            except OSError:
                pass
            result = compute()
            assert result
        """
    )
    assert signals(test) == ["sleep", "truthiness", "exception-flow"]


# --------------------------------------------------------------------------- select_tests

SUITE = """
    import time

    def test_add():
        assert add(1, 2) == 3

    def test_add_negative():
        assert add(-1, -2) == -3

    def test_parse_invoice_basic():
        assert parse("a") == {"a": 1}

    def test_parse_invoice_unicode():
        assert parse("é") == {"é": 1}

    def test_waits():
        time.sleep(1)
        assert ready() == 1

    def test_truthy():
        result = compute()
        assert result
"""


def test_hybrid_selects_only_tests_with_a_judgement_signal() -> None:
    batch = batch_of(("test_suite.py", SUITE))
    assert selected(batch) == {
        "test_parse_invoice_unicode": ["similar-name"],
        "test_waits": ["sleep"],
        "test_truthy": ["truthiness"],
    }


def test_a_similar_test_names_its_earlier_sibling_and_short_names_have_none() -> None:
    batch = batch_of(("test_suite.py", SUITE))
    chosen = {s.test.qualname: s for s in select_tests(batch, [], everything=True)}
    sibling = chosen["test_parse_invoice_unicode"].sibling
    assert sibling is not None
    assert sibling.qualname == "test_parse_invoice_basic"
    assert chosen["test_parse_invoice_basic"].sibling is None  # the pair is reported once
    assert chosen["test_add_negative"].sibling is None
    assert all(s.sibling is None for name, s in chosen.items() if name != "test_parse_invoice_unicode")


def test_similar_names_in_different_classes_are_no_siblings() -> None:
    batch = batch_of(
        (
            "test_c.py",
            """
            class TestInvoice:
                def test_parse_invoice_basic(self):
                    assert parse("a") == 1

            class TestReceipt:
                def test_parse_invoice_unicode(self):
                    assert parse("b") == 2
            """,
        )
    )
    assert selected(batch) == {}


def test_a_signal_settled_by_a_rule_finding_within_the_test_is_not_sent() -> None:
    batch = batch_of(("test_suite.py", SUITE))
    truthy = next(t for t in batch.modules[0].tests if t.name == "test_truthy")
    assert_line = truthy.line + 2
    settled = selected(batch, [issue("test_suite.py", assert_line, "weak-assertion")])
    assert "test_truthy" not in settled
    # Another code on that line, or the same code in another file, settles nothing.
    assert "test_truthy" in selected(batch, [issue("test_suite.py", assert_line, "unused-variable")])
    assert "test_truthy" in selected(batch, [issue("test_other.py", assert_line, "weak-assertion")])


def test_a_settled_signal_leaves_the_other_signals() -> None:
    batch = batch_of(
        (
            "test_s.py",
            """
            import time

            def test_s():
                time.sleep(1)
                result = compute()
                assert result
            """,
        )
    )
    test = batch.modules[0].tests[0]
    assert selected(batch, [issue("test_s.py", test.line + 3, "weak-assertion")]) == {"test_s": ["sleep"]}


def test_deep_selects_every_test_even_without_signals() -> None:
    batch = batch_of(
        ("test_suite.py", SUITE), ("test_more.py", "class TestX:\n    def test_y(self):\n        assert 1\n")
    )
    chosen = select_tests(batch, [], everything=True)
    assert [(s.module.path, s.test.qualname) for s in chosen] == [
        ("test_suite.py", t.qualname) for t in batch.modules[0].tests
    ] + [("test_more.py", "TestX.test_y")]
    assert next(s for s in chosen if s.test.name == "test_add").signals == []


def test_only_restricts_the_choice_to_the_given_tests() -> None:
    batch = batch_of(
        ("test_suite.py", SUITE), ("test_more.py", "import time\ndef test_w():\n    time.sleep(1)\n")
    )
    only = {("test_suite.py", "test_waits"), ("test_suite.py", "test_add"), ("test_more.py", "nope")}
    assert selected(batch, only=only) == {"test_waits": ["sleep"]}
    assert set(selected(batch, only=only, everything=True)) == {"test_waits", "test_add"}
    assert selected(batch, only=set(), everything=True) == {}


def test_selection_keeps_the_module_of_each_test() -> None:
    batch = batch_of(("a/test_one.py", "import time\ndef test_w():\n    time.sleep(1)\n"))
    (chosen,) = select_tests(batch, [], everything=False)
    assert isinstance(chosen.module, ModuleFacts)
    assert chosen.module.path == "a/test_one.py"
