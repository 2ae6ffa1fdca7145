import pytest


def total(values):
    return sum(values)


def test_total():
    assert total([1, 2]) == 3


def test_comparison_is_the_act_that_raises():
    with pytest.raises(TypeError):
        object() < object()


def test_comparison_in_try():
    try:
        object() < 1
    except TypeError:
        pass


def test_hashable():
    key = (1, 2)
    hash(key) == hash(key)


def test_generator_style():
    yield total, [1]
    return


@pytest.mark.mpl_image_compare
def test_plot_matches_baseline():
    figure = object()
    return figure


def test_bare_return():
    assert total([]) == 0
    return None
