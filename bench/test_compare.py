#!/usr/bin/env python3
"""The comparisons' significance test (report.py), fed fixed windows: one
pair clearly apart, one pair equal, and the few windows of --quick. The
p-values are those of SciPy's exact two-sided Mann-Whitney U test."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import smallest_p, verdict  # noqa: E402


class Comparison(unittest.TestCase):
    slow = [10.0, 11.0, 12.0, 13.0, 14.0]
    fast = [20.0, 21.0, 22.0, 23.0, 24.0]

    def test_a_clear_difference_is_shown_at_the_smallest_p(self):
        said, p = verdict(self.fast, self.slow, higher_is_faster=True)
        self.assertEqual(said, "faster")
        self.assertAlmostEqual(p, 2 / 252)
        self.assertEqual(verdict(self.slow, self.fast, higher_is_faster=True)[0], "slower")
        # CPU time per request: less is faster.
        self.assertEqual(verdict(self.slow, self.fast, higher_is_faster=False)[0], "faster")

    def test_equal_windows_show_no_difference(self):
        said, p = verdict([12.0, 10.0, 14.0, 11.0, 13.0], self.slow, higher_is_faster=True)
        self.assertEqual(said, "no difference shown")
        self.assertAlmostEqual(p, 1.0)

    def test_interleaved_windows_show_no_difference(self):
        said, p = verdict([10.0, 12.0, 14.0, 16.0, 18.0], [11.0, 13.0, 15.0, 17.0, 19.0], True)
        self.assertEqual(said, "no difference shown")
        self.assertAlmostEqual(p, 0.6904761904761905)

    def test_ties_count_half(self):
        self.assertAlmostEqual(verdict([1.0, 2.0, 2.0, 3.0, 5.0], [2.0, 3.0, 4.0, 5.0, 6.0], True)[1],
                               0.2222222222222222)

    def test_three_windows_cannot_show_a_difference(self):
        said, p = verdict(self.fast[:3], self.slow[:3], higher_is_faster=True)
        self.assertEqual(said, "no difference shown")
        self.assertAlmostEqual(p, 0.1)
        self.assertAlmostEqual(smallest_p(3, 3), 0.1)
        self.assertAlmostEqual(smallest_p(5, 5), 2 / 252)


if __name__ == "__main__":
    unittest.main()
