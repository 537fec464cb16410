"""The graph walk and the collector switch (tinygrad_edu/graph.py)."""

from __future__ import annotations

import gc
import threading

import pytest

from tinygrad_edu import Tensor, Value, collector_paused, topo_sort


def _diamond() -> Value:
    a = Value(2.0, label="a")
    b = Value(3.0, label="b")
    c = (a * b).named("c")
    d = (c + a).named("d")
    e = (c * b).named("e")
    return (d + e).named("f")


def test_topo_sort_visits_first_parent_first_and_each_node_once() -> None:
    order = topo_sort(_diamond())
    # hand-traced depth-first post-order: f ← (d ← (c ← (a, b), a), e ← (c, b))
    assert [n.label for n in order] == ["a", "b", "c", "d", "e", "f"]


def test_walk_can_repeat_and_restart_after_an_interrupted_walk() -> None:
    f = _diamond()
    first = [n.label for n in f.walk()]
    f.parents[0]._mark = object()  # what a walk interrupted half-way leaves behind
    assert [n.label for n in f.walk()] == first == [n.label for n in topo_sort(f)]


def test_walks_in_two_threads_over_shared_nodes_see_each_node_once() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    roots = []
    for k in range(2):
        h = w
        for _ in range(300):
            h = h * (1.0 + k) + w  # every node uses the shared leaf w
        roots.append(h)
    results: list[list[int]] = []

    def walk(root: Tensor) -> None:
        for _ in range(20):
            order = topo_sort(root)
            results.append([len(order), len(set(map(id, order)))])

    threads = [threading.Thread(target=walk, args=(r,)) for r in roots]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 300 ops, each with one constant leaf and a mul and an add node, plus w: 1 + 300·3
    assert results == [[901, 901]] * 40


def test_collector_paused_restores_the_collector_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with collector_paused():
            assert not gc.isenabled()
            raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
