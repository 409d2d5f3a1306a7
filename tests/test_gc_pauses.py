"""The collector plugin (tests/helpers/gc_pauses.py): no automatic collection during a test;
between tests what is alive is frozen, and every so often everything is collected once."""

from __future__ import annotations

import gc
import weakref

from tests.helpers.gc_pauses import Collector, collector


def test_no_automatic_collection_while_a_test_runs() -> None:
    assert not gc.isenabled()
    assert collector.finished == 0 or gc.get_freeze_count() > 0  # earlier tests' objects


def test_a_full_collection_every_n_tests_frees_frozen_garbage() -> None:
    class Cycle:
        other: object

    probe = Collector(every=3)
    before = gc.get_freeze_count()
    try:
        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        probe.after_test()  # test 1: the cycle is alive, frozen with the rest
        assert gc.get_freeze_count() >= before
        ref = weakref.ref(a)
        del a, b  # now garbage, but frozen: the collection after the next test skips it
        probe.after_test()  # test 2
        assert ref() is not None and probe.full_collections == 0
        probe.after_test()  # test 3: unfreeze, collect, freeze again
        assert probe.full_collections == 1
        assert ref() is None
    finally:
        gc.freeze()  # leave the suite's state as the plugin keeps it
