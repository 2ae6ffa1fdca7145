"""The parser: which functions are tests and fixtures, what counts as a check, and who requests
which fixture, across every file of a batch. Sources are inline; facts come from `parse_batch`.
"""

from __future__ import annotations

import textwrap

import pytest

from jobs.engine.facts import BatchFacts, CheckKind, ModuleFacts, Unparsed
from jobs.engine.facts import TestFacts as ParsedTest
from jobs.engine.parse import decode_source, parse_batch, parse_module
from jobs.engine.run import analyze_sources


def batch_of(*files: tuple[str, str]) -> BatchFacts:
    return parse_batch([(path, textwrap.dedent(source)) for path, source in files])


def module_of(source: str, path: str = "test_m.py") -> ModuleFacts:
    batch = batch_of((path, source))
    assert not batch.unparsed, batch.unparsed
    return batch.modules[0]


def by_qualname(module: ModuleFacts) -> dict[str, ParsedTest]:
    return {t.qualname: t for t in module.tests}


def kinds(test: ParsedTest) -> list[CheckKind]:
    return [c.kind for c in test.fn.checks]


# --------------------------------------------------------------------------- which functions are tests


def test_module_functions_named_test_are_tests_and_others_are_helpers() -> None:
    module = module_of(
        """
        def test_one():
            assert 1

        def helper():
            return 2

        def testable_too():
            assert helper()
        """
    )
    assert [t.qualname for t in module.tests] == ["test_one", "testable_too"]
    assert set(module.helpers) == {"helper"}


def test_methods_of_test_classes_are_tests_with_their_class() -> None:
    module = module_of(
        """
        class TestThing:
            def test_a(self):
                assert 1

            def make(self):
                return 1

        class Helper:
            def test_not_collected(self):
                assert 1
        """
    )
    tests = by_qualname(module)
    assert set(tests) == {"TestThing.test_a"}
    assert tests["TestThing.test_a"].cls is not None
    assert tests["TestThing.test_a"].cls.name == "TestThing"
    assert not tests["TestThing.test_a"].is_unittest
    assert [c.name for c in module.classes] == ["TestThing"]


def test_unittest_testcase_and_subclasses_of_a_testcase_subclass_are_collected() -> None:
    module = module_of(
        """
        import unittest
        from unittest import TestCase

        class Base(unittest.TestCase):
            def test_base(self):
                self.assertEqual(1, 1)

        class Derived(Base):
            def test_derived(self):
                self.assertTrue(True)

        class Direct(TestCase):
            def test_direct(self):
                self.fail("no")
        """
    )
    tests = by_qualname(module)
    assert set(tests) == {"Base.test_base", "Derived.test_derived", "Direct.test_direct"}
    assert all(t.is_unittest for t in tests.values())
    assert kinds(tests["Derived.test_derived"]) == [CheckKind.UNITTEST]
    assert kinds(tests["Direct.test_direct"]) == [CheckKind.UNITTEST]


def test_async_tests_are_tests_and_know_they_are_async() -> None:
    module = module_of(
        """
        async def test_fetch():
            assert await fetch() == 1

        def test_sync():
            assert 1
        """
    )
    tests = by_qualname(module)
    assert tests["test_fetch"].fn.is_async
    assert not tests["test_sync"].fn.is_async
    assert kinds(tests["test_fetch"]) == [CheckKind.ASSERT]


# --------------------------------------------------------------------------- fixtures


FIXTURES = """
    import pytest
    from pytest import fixture

    @pytest.fixture
    def bare():
        return 1

    @pytest.fixture()
    def called():
        return 2

    @fixture
    def imported():
        yield 3

    @pytest.fixture(name="db", scope="session", autouse=True)
    def _make_db():
        yield 4

    def not_a_fixture():
        return 5
"""


def test_every_fixture_decorator_form_is_recognised() -> None:
    module = module_of(FIXTURES, "conftest.py")
    assert [f.name for f in module.fixtures] == ["bare", "called", "imported", "db"]
    assert "not_a_fixture" in module.helpers


def test_fixture_name_scope_autouse_and_yield_are_read_from_the_decorator_and_body() -> None:
    fixtures = {f.name: f for f in module_of(FIXTURES, "conftest.py").fixtures}
    db = fixtures["db"]
    assert db.fn.name == "_make_db"  # tests request it as `db`
    assert (db.scope, db.autouse, db.is_generator) == ("session", True, True)
    bare = fixtures["bare"]
    assert (bare.scope, bare.autouse, bare.is_generator) == ("function", False, False)
    assert fixtures["imported"].is_generator
    assert not fixtures["called"].is_generator


def test_a_fixture_is_not_a_test_even_when_named_test() -> None:
    module = module_of(
        """
        import pytest

        @pytest.fixture
        def test_data():
            return [1]

        def test_uses(test_data):
            assert test_data == [1]
        """
    )
    assert [t.name for t in module.tests] == ["test_uses"]
    assert [f.name for f in module.fixtures] == ["test_data"]


# --------------------------------------------------------------------------- checks


def test_each_kind_of_check_is_recognised() -> None:
    module = module_of(
        """
        import pytest
        from unittest import mock

        def test_assert():
            assert compute() == 1

        def test_raises_call():
            pytest.raises(ValueError, int, "x")

        def test_raises_with():
            with pytest.raises(ValueError):
                int("x")

        def test_warns_with():
            with pytest.warns(UserWarning):
                warn()

        def test_warns_call():
            pytest.warns(UserWarning, warn)

        def test_fail():
            if broken():
                pytest.fail("broken")

        def test_mock():
            m = mock.Mock()
            run(m)
            m.assert_called_once_with(1)

        def test_nothing():
            compute()
        """
    )
    tests = by_qualname(module)
    assert kinds(tests["test_assert"]) == [CheckKind.ASSERT]
    assert kinds(tests["test_raises_call"]) == [CheckKind.RAISES]
    assert kinds(tests["test_raises_with"]) == [CheckKind.RAISES]
    assert kinds(tests["test_warns_with"]) == [CheckKind.RAISES]
    assert kinds(tests["test_warns_call"]) == [CheckKind.RAISES]
    assert kinds(tests["test_fail"]) == [CheckKind.FAIL]
    assert tests["test_fail"].fn.checks[0].conditional  # it sits under an `if`
    assert kinds(tests["test_mock"]) == [CheckKind.MOCK]
    assert kinds(tests["test_nothing"]) == []


def test_unittest_assert_methods_and_fail_are_checks() -> None:
    module = module_of(
        """
        import unittest

        class TestIt(unittest.TestCase):
            def test_methods(self):
                self.assertEqual(f(), 1)
                self.assertIn(1, g())
                with self.assertRaises(KeyError):
                    h()
                self.fail("unreachable")
        """
    )
    (test,) = module.tests
    assert [(c.kind, c.name) for c in test.fn.checks] == [
        (CheckKind.UNITTEST, "assertEqual"),
        (CheckKind.UNITTEST, "assertIn"),
        (CheckKind.RAISES, "assertRaises"),
        (CheckKind.UNITTEST, "fail"),
    ]


def test_a_call_to_an_asserting_helper_is_a_helper_check_in_the_same_module_and_through_helpers() -> None:
    module = module_of(
        """
        def expect_positive(x):
            assert x > 0

        def run_and_expect(x):
            expect_positive(run(x))

        def plain_helper(x):
            return run(x)

        def test_direct():
            expect_positive(1)

        def test_through_a_helper():
            run_and_expect(1)

        def test_plain_helper_is_no_check():
            plain_helper(1)
        """
    )
    tests = by_qualname(module)
    assert [(c.kind, c.name) for c in tests["test_through_a_helper"].fn.checks] == [
        (CheckKind.HELPER, "run_and_expect")
    ]
    assert CheckKind.HELPER in kinds(tests["test_direct"])
    assert kinds(tests["test_plain_helper_is_no_check"]) == []


def test_a_helper_that_asserts_in_a_conftest_of_the_batch_checks_for_its_callers() -> None:
    batch = batch_of(
        (
            "tests/conftest.py",
            """
            def has_rows(table):
                assert table.rows

            def load_and_check(name):
                has_rows(load(name))
            """,
        ),
        (
            "tests/test_db.py",
            """
            def test_users():
                load_and_check("users")

            def test_unchecked():
                load("users")
            """,
        ),
    )
    assert {"has_rows", "load_and_check"} <= batch.asserting_helpers
    tests = by_qualname(batch.modules[1])
    assert [(c.kind, c.name) for c in tests["test_users"].fn.checks] == [(CheckKind.HELPER, "load_and_check")]
    assert kinds(tests["test_unchecked"]) == []


def test_an_assert_belongs_to_the_function_it_is_written_in() -> None:
    module = module_of(
        """
        def test_defines_but_never_calls():
            def check(value):
                assert value == 1
            result = compute()

        def test_calls_its_nested_helper():
            def check(value):
                assert value == 1
            check(compute())
        """
    )
    tests = by_qualname(module)
    never = tests["test_defines_but_never_calls"].fn
    assert never.checks == []
    assert never.asserts == []
    assert len(never.local_helpers["check"].asserts) == 1  # the nested def keeps its own assert
    calls = tests["test_calls_its_nested_helper"].fn
    assert calls.asserts == []  # the assert is still the nested function's
    assert [(c.kind, c.name) for c in calls.checks] == [(CheckKind.HELPER, "check")]


def test_a_nested_helper_calling_a_nested_helper_that_asserts_checks_for_the_test() -> None:
    module = module_of(
        """
        def test_chain():
            def check(value):
                assert value == 1

            def run_and_check(x):
                check(run(x))

            run_and_check(1)
        """
    )
    (test,) = module.tests
    assert [(c.kind, c.name) for c in test.fn.checks] == [(CheckKind.HELPER, "run_and_check")]


def test_a_nested_helper_is_no_missing_assertion_end_to_end() -> None:
    source = textwrap.dedent(
        """
        def test_calls():
            def check(v):
                assert v == 1
            check(compute())

        def test_never_calls():
            def check(v):
                assert v == 1
            compute()
        """
    )
    _, issues = analyze_sources([("test_n.py", source)])
    missing = [i.line for i in issues if i.code == "missing-assertion"]
    assert missing == [7]  # only the test that never calls its checking helper


def test_except_star_in_a_test_parses() -> None:
    module = module_of(
        """
        def test_group():
            try:
                run()
            except* ValueError:
                pass
        """
    )
    (test,) = module.tests
    assert len(test.fn.trys) == 1


# --------------------------------------------------------------------------- decorators and parametrize


def test_decorators_are_resolved_through_imports_and_parametrize_names_are_read() -> None:
    module = module_of(
        """
        import pytest
        from unittest.mock import patch

        @pytest.mark.parametrize("a, b", [(1, 2)])
        @pytest.mark.parametrize(("c", "d"), [(3, 4)])
        @pytest.mark.parametrize(argnames="e", argvalues=[5])
        @patch("os.getcwd")
        def test_it(getcwd, a, b, c, d, e, tmp_path):
            assert a < b
        """
    )
    (test,) = module.tests
    assert [d.name for d in test.fn.decorators] == [
        "pytest.mark.parametrize",
        "pytest.mark.parametrize",
        "pytest.mark.parametrize",
        "unittest.mock.patch",
    ]
    assert test.fn.decorator("patch") is not None
    assert test.fn.decorator("mark") is None  # whole dotted parts only
    assert test.parametrize_names == {"a", "b", "c", "d", "e"}
    assert "tmp_path" in module.fixture_requests
    assert not {"a", "b", "c", "d", "e"} & module.fixture_requests  # parameters, not fixtures


# --------------------------------------------------------------------------- fixture requests


def test_fixture_requests_from_every_form_reach_the_batch() -> None:
    batch = batch_of(
        (
            "tests/conftest.py",
            """
            import pytest

            @pytest.fixture
            def engine(settings):
                return settings
            """,
        ),
        (
            "tests/test_a.py",
            """
            import pytest

            pytestmark = [pytest.mark.usefixtures("from_module_mark")]

            @pytest.mark.usefixtures("from_function_mark")
            def test_param(from_param, request):
                request.getfixturevalue("from_literal")
                assert 1

            @pytest.mark.usefixtures("from_class_mark")
            class TestGroup:
                pytestmark = pytest.mark.usefixtures("from_class_pytestmark")

                def test_method(self, from_method_param):
                    assert 1
            """,
        ),
    )
    expected = {
        "settings",  # a fixture requesting a fixture
        "from_module_mark",
        "from_function_mark",
        "from_param",
        "request",
        "from_literal",
        "from_class_mark",
        "from_class_pytestmark",
        "from_method_param",
    }
    assert expected <= batch.fixture_requests
    assert "self" not in batch.fixture_requests
    assert not batch.dynamic_fixture_requests
    assert [f.name for f in batch.fixtures_by_name["engine"]] == ["engine"]


def test_getfixturevalue_with_a_non_literal_sets_the_dynamic_flag() -> None:
    batch = batch_of(
        (
            "test_dyn.py",
            """
            def test_dynamic(request):
                for name in ("a", "b"):
                    assert request.getfixturevalue(name)
            """,
        ),
        ("test_static.py", "def test_x():\n    assert 1\n"),
    )
    assert batch.modules[0].dynamic_fixture_requests
    assert not batch.modules[1].dynamic_fixture_requests
    assert batch.dynamic_fixture_requests


# --------------------------------------------------------------------------- files that do not parse


def test_a_file_that_does_not_parse_is_one_syntax_error_and_the_batch_goes_on() -> None:
    batch = batch_of(
        ("test_ok_before.py", "def test_a():\n    assert 1\n"),
        ("test_broken.py", "import os\n\ndef test_x(:\n    pass\n"),
        ("test_ok_after.py", "def test_b():\n    assert 2\n"),
    )
    assert [m.path for m in batch.modules] == ["test_ok_before.py", "test_ok_after.py"]
    (broken,) = batch.unparsed
    assert (broken.path, broken.code, broken.line) == ("test_broken.py", "syntax-error", 3)
    assert "does not parse" in broken.message


def test_a_syntax_error_is_reported_once_with_severity_error_next_to_other_findings() -> None:
    _, issues = analyze_sources(
        [
            ("test_broken.py", "x = 1\ny = (\n"),
            ("test_ok.py", "def test_a():\n    assert True\n"),
        ]
    )
    broken = [i for i in issues if i.file_path == "test_broken.py"]
    assert [(i.code, i.severity, i.line) for i in broken] == [("syntax-error", "error", 2)]
    assert any(i.file_path == "test_ok.py" and i.code == "trivial-assertion" for i in issues)


@pytest.mark.parametrize(
    "source",
    [
        "(" * 5000 + ")" * 5000,
        "1+" * 100000 + "1",
        "def test_deep():\n    x = " + "1+" * 3000 + "1\n",
    ],
    ids=["parentheses", "long-sum", "long-sum-in-a-test"],
)
def test_pathological_nesting_is_an_issue_not_a_crash(source: str) -> None:
    result = parse_module("test_deep.py", source)
    assert isinstance(result, Unparsed)
    assert result.code in {"syntax-error", "unreadable-file"}
    assert result.message
    assert result.line >= 1
    _, issues = analyze_sources(
        [("test_deep.py", source), ("test_ok.py", "def test_a():\n    assert True\n")]
    )
    assert [i.code for i in issues if i.file_path == "test_deep.py"] == [result.code]
    assert "trivial-assertion" in {i.code for i in issues if i.file_path == "test_ok.py"}  # batch goes on


# --------------------------------------------------------------------------- decoding


def test_decode_source_refuses_nul_bytes_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="NUL bytes"):
        decode_source(b"def test_x():\x00\n    pass\n")


def test_decode_source_refuses_bytes_invalid_in_the_declared_encoding() -> None:
    with pytest.raises(ValueError, match="not valid text"):
        decode_source(b"x = '\xff\xfe'\n")  # utf-8 by default
    with pytest.raises(ValueError, match="not valid text"):
        decode_source(b"a = 1\nb = 2\nc = '\xff'\n")  # past the lines the cookie may sit on
    with pytest.raises(ValueError, match="unknown encoding"):
        decode_source(b"# -*- coding: no-such-codec -*-\nx = 1\n")


def test_decode_source_honours_a_pep_263_cookie_and_a_bom() -> None:
    assert decode_source(b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n").endswith("name = 'été'\n")
    assert decode_source(b"\xef\xbb\xbfx = 1\n") == "x = 1\n"
    assert decode_source("x = 'ü'\n".encode()) == "x = 'ü'\n"
