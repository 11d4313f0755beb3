"""bench/medium_delay.py: the third-story floor is read from a surge's distinct stories, copies left out."""

from __future__ import annotations

import argparse
import random
from datetime import timedelta

from bench import detect_real as real
from bench.medium_delay import Group, parse_seeds, story_times, variants_of


def test_story_times_are_the_surge_s_distinct_stories_in_order() -> None:
    surge = real.SURGES[5]  # PAK, medium: 10 stories in 6 h, a third of them syndicated once more
    articles = real.surge_articles(surge, random.Random(3))
    first = min(a.published_at for a in articles)
    times = story_times(surge, articles, first)
    assert len(times) == 10 < len(articles)  # the copies are no stories
    assert times == sorted(times) and times[0] == 0.0 and times[-1] <= surge.block_hours
    copies = [a for a in articles if a.id.endswith("-copy")]
    late_copy = copies[0].model_copy(update={"published_at": first - timedelta(hours=1)})
    assert story_times(surge, [*articles, late_copy], first) == times


def test_seeds_and_variants_parse_as_written() -> None:
    assert parse_seeds("1-4") == [1, 2, 3, 4] and parse_seeds("2,5") == [2, 5]
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", dest="variant", action=Group)
    parser.add_argument("--set", dest="set", action=Group)
    args = parser.parse_args(["--set", "half_life=7d", "--variant", "3h", "--set", "windows=1h,3h,1d",
                              "--variant", "gate", "--set", "min_stories_day=3"])  # fmt: skip
    assert variants_of(args) == {"default": {"half_life": "7d"}, "3h": {"windows": "1h,3h,1d"},
                                 "gate": {"min_stories_day": "3"}}  # fmt: skip
    assert variants_of(parser.parse_args([])) == {"default": {}}
