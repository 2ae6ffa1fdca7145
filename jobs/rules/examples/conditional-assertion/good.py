import sys

import pytest
from hypothesis import given, strategies as st

CASES = [("ada", "ada"), ("bob", "bob")]


def search(query):
    return [query]


def test_literal_loop():
    for query in ["ada", "bob"]:
        assert search(query) == [query]


def test_module_table():
    for query, expected in CASES:
        assert search(query) == [expected]


def test_bound_literal_and_range():
    queries = ("ada", "bob")
    for i in range(2):
        assert search(queries[i])


def test_precondition_first():
    results = search("ada")
    assert results
    for result in results:
        assert "ada" in result


def test_both_branches_check():
    results = search("ada")
    if results:
        assert results[0] == "ada"
    else:
        pytest.fail("no results")


def test_fail_branch_is_a_check():
    results = search("ada")
    if results != ["ada"]:
        pytest.fail(f"unexpected {results}")


def test_platform_specific():
    if sys.platform == "win32":
        assert search("C:") == ["C:"]


@pytest.mark.parametrize("queries", [["ada"], ["bob"]])
def test_parametrized_data(queries):
    for query in queries:
        assert search(query) == [query]


def make_graph(n):
    return {i: [] for i in range(n)}


def reachable(graph):
    return set(graph)


def test_input_graph():
    graph = make_graph(3)
    reach = reachable(graph)
    for node in sorted(graph):  # iterates the test's own input, fed to reachable()
        assert node in reach


@given(st.lists(st.text()))
def test_property_holds_for_each(items):
    for item in search(items):
        assert item == items


def test_expected_built_by_hand():
    expected = []
    for n in range(3):
        expected.append(n)
    for k, e in enumerate(expected):
        assert e == k


def test_try_else_fail():
    try:
        search(None)
    except TypeError:
        pass
    else:
        assert False, "expected TypeError"


class TestData:
    cases = ["ada"]

    def test_class_data(self):
        for query in self.cases:
            assert search(query) == [query]
