"""Garbage-collector tuning at start-up."""

import gc
import weakref

from {{ cookiecutter.package_name }}.core.runtime import GC_THRESHOLDS, tune_gc


class Node:
    """An object that can sit in a reference cycle."""

    partner: "Node"


def test_tune_gc_freezes_what_lives_and_collects_the_young_less_often():
    """After tuning, the objects alive at start-up are out of the collector's sight, the young
    generation waits for GC_THRESHOLDS[0] allocations, and cyclic garbage made afterwards is
    still collected."""
    before = gc.get_threshold()
    try:
        tune_gc()
        node = Node()
        node.partner = node  # a cycle: only the collector can free it
        alive = weakref.ref(node)
        del node
        gc.collect()

        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.isenabled()
        assert alive() is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
