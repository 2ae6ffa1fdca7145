import unittest


class MyTestCase(unittest.TestCase):  # [default-test-name]
    def test_something(self):
        self.assertEqual(1 + 1, 2)


class ExampleUnitTest(unittest.TestCase):  # [default-test-name]
    def test_addition_isCorrect(self):
        self.assertEqual(2 + 2, 4)
