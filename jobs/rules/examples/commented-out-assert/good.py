def total(values):
    return sum(values)


# assert total([]) == 0   <- outside any test: not our business


def test_total():
    values = [1, 2]
    # assert that the total of the values is three
    # Assertions below check the sum
    assert total(values) == 3
    # the old code used: assert_equal(total, 3)


def test_notes():
    # assert
    # assert: the cache must be warm here
    assert total([]) == 0
