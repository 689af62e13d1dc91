"""Garbage-collector tuning at start-up."""

import gc

from {{ cookiecutter.package_name }}.core.runtime import GC_THRESHOLDS, tune_gc


def test_tune_gc_freezes_what_lives_and_collects_the_young_less_often():
    """After tuning, the objects alive at start-up are out of the collector's sight, new ones
    are still tracked, and the young generation waits for GC_THRESHOLDS[0] allocations."""
    before = gc.get_threshold()
    try:
        tune_gc()
        frozen = gc.get_freeze_count()
        born_after = [[]]  # a container: the collector tracks it

        assert frozen > 10_000
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.is_tracked(born_after)
        assert gc.get_freeze_count() == frozen  # nothing frozen after the call
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
