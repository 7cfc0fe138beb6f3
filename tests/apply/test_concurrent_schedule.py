"""The schedule of a concurrent apply, as pure logic: whatever order calls are answered in,
no two conflicting calls are ever in flight together and conflicting calls go out in apply
order (hypothesis drives the footprints, the concurrency and the order of answers)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.apply.schedule import Footprint, Schedule, conflicts, footprint
from reconciler.model import Source
from reconciler.plan.actions import Activate, Target, UpdateItem

ITEMS = ("i1", "i2", "i3")
LOCATIONS = ("l1", "l2")


def _print(levels: set[tuple[str, str]], whole: set[str]) -> Footprint:
    items = {item for item, _ in levels} | whole
    return Footprint(frozenset(levels), frozenset(items), frozenset(whole))


footprints = st.builds(
    _print,
    st.sets(st.tuples(st.sampled_from(ITEMS), st.sampled_from(LOCATIONS)), max_size=3),
    st.sets(st.sampled_from(ITEMS), max_size=1),
).filter(lambda f: bool(f.items))


def _simulate(prints: list[Footprint], size: int, rng: random.Random) -> list[tuple[str, int]]:
    """Run the schedule with up to `size` in flight, answering a random one each time."""
    schedule = Schedule(prints)
    events: list[tuple[str, int]] = []
    in_flight: list[int] = []
    while not schedule.done:
        while len(in_flight) < size:
            index = schedule.next_ready()
            if index is None:
                break
            for other in in_flight:
                assert not conflicts(prints[index], prints[other]), (index, other)
            in_flight.append(index)
            events.append(("start", index))
        assert in_flight, "nothing ready and nothing in flight: the schedule is stuck"
        answered = in_flight.pop(rng.randrange(len(in_flight)))
        events.append(("end", answered))
        schedule.finish(answered)
    return events


@settings(max_examples=300, deadline=None)
@given(st.lists(footprints, max_size=12), st.integers(1, 5), st.randoms(use_true_random=False))
def test_conflicting_calls_never_overlap_and_keep_their_order(
    prints: list[Footprint], size: int, rng: random.Random
) -> None:
    events = _simulate(prints, size, rng)
    started = {i: n for n, (kind, i) in enumerate(events) if kind == "start"}
    ended = {i: n for n, (kind, i) in enumerate(events) if kind == "end"}
    assert sorted(started) == list(range(len(prints)))
    for later in range(len(prints)):
        for earlier in range(later):
            if conflicts(prints[earlier], prints[later]):
                assert ended[earlier] < started[later], (earlier, later)


@given(st.lists(footprints, max_size=12))
def test_one_at_a_time_is_the_sequential_order(prints: list[Footprint]) -> None:
    events = _simulate(prints, 1, random.Random(0))
    assert [i for kind, i in events if kind == "start"] == list(range(len(prints)))


def test_disjoint_levels_go_out_together_and_an_update_waits_for_its_item() -> None:
    prints = [
        _print({("i1", "l1")}, set()),  # 0
        _print({("i2", "l1")}, set()),  # 1: disjoint from 0
        _print({("i1", "l2")}, set()),  # 2: same item, another level: disjoint too
        _print(set(), {"i1"}),  # 3: an update of i1 waits for 0 and 2
        _print({("i1", "l1"), ("i2", "l2")}, set()),  # 4: waits for 3 (and 0)
    ]
    schedule = Schedule(prints)
    assert [schedule.next_ready() for _ in range(4)] == [0, 1, 2, None]
    schedule.finish(0)
    assert schedule.next_ready() is None
    schedule.finish(2)
    assert schedule.next_ready() == 3
    schedule.finish(3)
    assert schedule.next_ready() == 4
    assert schedule.never_started() == []


def test_footprint_of_actions() -> None:
    source = Source("inventory.yaml", 1)
    activate = Activate(Target("A", "i1", "l1", "East"), False, source)
    update = UpdateItem(Target("B", "i2"), (), source)
    result = footprint([activate, update])
    assert result.levels == {("i1", "l1")}
    assert result.items == {"i1", "i2"}
    assert result.whole == {"i2"}
    assert conflicts(result, footprint([Activate(Target("B", "i2", "l2"), False, source)]))
    assert not conflicts(result, footprint([Activate(Target("A", "i1", "l2"), False, source)]))
