"""A case's steps with its reusable states expanded: the order, each state once, nested states,
unknown names; on small hand-made catalogs and on the packaged one."""

from __future__ import annotations

from octt.catalog.expansion import expanded
from octt.catalog.loader import load_catalog
from octt.catalog.model import (
    Catalog,
    Location,
    ReusableState,
    SendStep,
    StateStep,
    Step,
    TestCase,
    WaitStep,
)
from octt.pics.model import Profile

HERE = Location("test.yaml", 1)


def send(action: str) -> SendStep:
    return SendStep(HERE, "", "", action=action)


def state_step(name: str) -> StateStep:
    return StateStep(HERE, "", "", name=name)


def state(name: str, *steps: Step, before: tuple[str, ...] = ()) -> ReusableState:
    return ReusableState(name, name, "", before, steps, HERE, parameters={"who": name})


def case(case_id: str, *steps: Step, before: tuple[str, ...] = ()) -> TestCase:
    return TestCase(case_id, case_id, Profile.CORE, {}, "", (), "", (), before, steps, HERE)


def catalog(*states: ReusableState, cases: tuple[TestCase, ...] = ()) -> Catalog:
    return Catalog(cases, {s.name: s for s in states})


def names(items: list[ReusableState | Step]) -> list[str]:
    """Each item as a word: a state by its name, a send by its action, a state step by
    ``@name``, anything else by its kind."""
    words = []
    for item in items:
        if isinstance(item, ReusableState):
            words.append(f"state {item.name}")
        elif isinstance(item, SendStep):
            words.append(item.action)
        elif isinstance(item, StateStep):
            words.append(f"@{item.name}")
        else:
            words.append(type(item).__name__)
    return words


def test_a_case_without_states_is_its_steps() -> None:
    wait = WaitStep(HERE, "", "", seconds=1)
    only = case("TC", send("Heartbeat"), wait)
    assert list(expanded([only], catalog())) == [send("Heartbeat"), wait]


def test_before_states_then_the_states_of_state_steps_come_before_the_steps() -> None:
    states = catalog(
        state("booted", send("BootNotification")),
        state("charging", send("StartTransaction"), before=("authorized",)),
        state("authorized", send("Authorize")),
    )
    tc = case("TC", send("Heartbeat"), state_step("charging"), before=("booted",))
    assert names(list(expanded([tc], states))) == [
        "state booted",
        "BootNotification",
        "state charging",
        "state authorized",
        "Authorize",
        "StartTransaction",
        "Heartbeat",
        "@charging",
    ]


def test_a_state_is_given_with_its_parameters() -> None:
    states = catalog(state("booted", send("BootNotification")))
    first = next(expanded([case("TC", before=("booted",))], states))
    assert isinstance(first, ReusableState)
    assert first.parameters == {"who": "booted"}


def test_a_state_comes_once_across_the_cases_and_a_state_running_itself_ends() -> None:
    states = catalog(
        state("booted", send("BootNotification"), before=("booted",)),
        state("authorized", send("Authorize"), state_step("booted")),
    )
    one = case("TC_1", state_step("booted"), before=("booted",))
    two = case("TC_2", before=("authorized", "booted"))
    assert names(list(expanded([one, two], states))) == [
        "state booted",
        "BootNotification",
        "@booted",
        "state authorized",
        "Authorize",
        "@booted",
    ]
    # Each call starts afresh: the second case alone has its states again.
    assert names(list(expanded([two], states)))[:3] == [
        "state authorized",
        "state booted",
        "BootNotification",
    ]


def test_a_name_without_a_state_is_passed_over_but_its_state_step_stays() -> None:
    tc = case("TC", state_step("nowhere"), before=("unknown",))
    assert names(list(expanded([tc], catalog()))) == ["@nowhere"]


def test_the_packaged_catalog_expands_a_case_into_the_states_it_runs() -> None:
    packaged = load_catalog()
    items = list(expanded([packaged.case("TC_004_1_CSMS")], packaged))
    states = [item.name for item in items if isinstance(item, ReusableState)]
    assert states[:2] == ["booted", "charging"]
    assert "authorized" in states
    assert len(states) == len(set(states))
    steps = [item for item in items if not isinstance(item, ReusableState)]
    assert steps[-len(packaged.case("TC_004_1_CSMS").steps) :] == list(
        packaged.case("TC_004_1_CSMS").steps
    )
