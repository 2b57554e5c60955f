"""Loading test cases and reusable states: typed model, and every problem as file:line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from octt.catalog.loader import accepted_arguments, load_case, load_catalog, load_state
from octt.catalog.model import (
    Catalog,
    CheckStep,
    EachConnector,
    ExpectCallStep,
    ForbidStep,
    OperatorStep,
    ReconnectStep,
    Requirement,
    SendStep,
    SimulatedEvent,
    SimulateStep,
    StateStep,
    WaitStep,
    describe_step,
    step_kind,
)
from octt.engine.checks import CHECKS
from octt.pics.model import Profile
from octt.yamldoc import DocumentError

# The Core profile's cases.
CORE_NUMBERS = (
    "001 003 004_1 004_2 005_1 007 061 010 011_1 011_2 012 013 014 017_1 017_2 018_1 019_1"
    " 019_2 021 023_1 023_2 023_3 024 026 028 030 031 032_1 037_1 037_3 039 040_1 040_2 064"
)
CORE_IDS = {f"TC_{n}_CSMS" for n in CORE_NUMBERS.split(" ")}

BOOTED = """\
state: booted
title: Booted
steps:
  - send: BootNotification
    expect:
      status: Accepted
"""

CASE = """\
id: TC_001_CSMS
title: Cold boot
profile: core
reference: {oca: "[2024-04] T900 p.1"}
checks: [boot accepted]
before: [booted]
steps:
  - send: BootNotification
    expect:
      status: Accepted
"""


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def catalog_root(tmp_path: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        write(tmp_path, relative, text)
    (tmp_path / "_states").mkdir(exist_ok=True)
    return tmp_path


def error_of(tmp_path: Path, files: dict[str, str], **kwargs: object) -> str:
    root = catalog_root(tmp_path, files)
    with pytest.raises(DocumentError) as info:
        load_catalog(root, **kwargs)  # type: ignore[arg-type]
    return str(info.value).replace(str(root) + "/", "")


# -- the packaged catalog ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def packaged() -> Catalog:
    return load_catalog(known_checks=frozenset(CHECKS))


def test_packaged_catalog_loads_the_34_core_cases(packaged: Catalog) -> None:
    core = [c for c in packaged.cases if c.profile is Profile.CORE]
    assert len(core) == 34
    assert {c.id for c in core} == CORE_IDS
    assert {"booted", "authorized", "charging"} <= set(packaged.states)
    assert [c.id for c in core] == sorted(c.id for c in core)
    assert packaged.cases[: len(core)] == tuple(core)  # Core comes first


def test_packaged_catalog_cases_are_complete(packaged: Catalog) -> None:
    catalog = packaged
    for case in catalog.cases:
        assert case.title and case.steps, case.id
        # The OCA document's table per edition (never a file users do not have).
        assert case.reference["oca"].startswith("["), case.id
        assert "TESTCASES" not in str(case.reference), case.id
        assert Path(case.location.file).name == f"{case.id}.yaml"


def test_packaged_catalog_operator_flags(packaged: Catalog) -> None:
    catalog = packaged
    assert catalog.case("TC_019_1_CSMS").needs_operator
    assert catalog.case("TC_021_CSMS").needs_operator
    assert not catalog.case("TC_001_CSMS").needs_operator
    assert not catalog.case("TC_004_1_CSMS").needs_operator
    with pytest.raises(KeyError):
        catalog.case("TC_999_CSMS")


def test_packaged_states_chain(packaged: Catalog) -> None:
    catalog = packaged
    assert catalog.states["charging"].before == ("authorized",)
    assert [step_kind(s) for s in catalog.states["booted"].steps] == ["send", "send"]
    status = catalog.states["booted"].steps[1]
    assert isinstance(status, SendStep)
    assert status.each_connector is EachConnector.ALL_AND_ZERO


def test_packaged_case_tc_064_makes_up_its_vendor_id(packaged: Catalog) -> None:
    case = packaged.case("TC_064_CSMS")
    assert case.requires == ()  # any unknown vendorId will do: no PICS prerequisite


# -- the typed model -----------------------------------------------------------------------------


EVERY_STEP = """\
id: TC_099_CSMS
title: Every step kind
profile: core
reference: {oca: "[2024-04] T1 p.2", ocpp: z}
purpose: all of them
checks: []
editions: none
requires:
  - {pics: profiles.core}
  - {pics: security.profiles, contains_any: [1, 2]}
steps:
  - send: StatusNotification
    label: plug in
    connector: "{connector_id}"
    payload: {status: Preparing}
    each_connector: others
    swappable_with_next: true
    timeout_s: 2
  - expect_call: RemoteStartTransaction
    within_s: 30
    expect: {idTag: "{valid_id_tag}"}
    save: {remote_tag: idTag}
    reply: {status: Accepted}
    tolerate: [GetConfiguration]
  - operator: Reset
    payload: {type: Hard}
    say: Reset it
  - state: booted
  - reconnect: {password: "{new_password}", subprotocols: [ocpp1.6, ocpp2.0]}
  - reconnect:
  - forbid: [Reset, ClearCache]
    within_s: 5
  - check: distinct_values
    args: {variables: [a, b]}
  - wait: 1.5
  - simulate: go_offline
    duration_s: 60
  - expect_call: Reset
    reply_error: {code: NotImplemented, description: nope}
"""


def test_every_step_kind_is_loaded(tmp_path: Path) -> None:
    path = write(tmp_path, "core/TC_099_CSMS.yaml", EVERY_STEP)
    case = load_case(path)
    assert case.id == "TC_099_CSMS"
    assert case.profile is Profile.CORE
    assert case.reference == {"oca": "[2024-04] T1 p.2", "ocpp": "z"}
    assert (case.purpose, case.editions, case.checks, case.before) == (
        "all of them",
        "none",
        (),
        (),
    )
    assert case.requires == (
        Requirement("profiles.core"),
        Requirement("security.profiles", (1, 2)),
    )
    kinds = [step_kind(s) for s in case.steps]
    assert kinds == [
        "send",
        "expect_call",
        "operator",
        "state",
        "reconnect",
        "reconnect",
        "forbid",
        "check",
        "wait",
        "simulate",
        "expect_call",
    ]
    send, expect, operator, state, reconnect, bare, forbid, check, wait, simulate, error = (
        case.steps
    )
    assert send == SendStep(
        send.location,
        "plug in",
        "",
        "StatusNotification",
        "{connector_id}",
        EachConnector.OTHERS,
        {"status": "Preparing"},
        {},
        {},
        True,
        2,
    )
    assert send.location.line == 12
    # Results show the catalog-relative path; load errors the file on this machine.
    assert str(send.location) == f"{path.parent.parent.name}/core/TC_099_CSMS.yaml:12"
    assert send.location.source_file == str(path)
    assert isinstance(expect, ExpectCallStep)
    assert (expect.within_s, expect.tolerate, expect.reply) == (
        30,
        ("GetConfiguration",),
        {"status": "Accepted"},
    )
    assert expect.save == {"remote_tag": "idTag"}
    assert expect.location.line == 19
    assert isinstance(operator, OperatorStep)
    assert (operator.action, operator.payload, operator.say) == (
        "Reset",
        {"type": "Hard"},
        "Reset it",
    )
    assert isinstance(state, StateStep) and state.name == "booted"
    assert isinstance(reconnect, ReconnectStep)
    assert (reconnect.password, reconnect.subprotocols) == (
        "{new_password}",
        ("ocpp1.6", "ocpp2.0"),
    )
    assert isinstance(bare, ReconnectStep) and (bare.password, bare.subprotocols) == (None, None)
    assert isinstance(forbid, ForbidStep) and forbid.actions == ("Reset", "ClearCache")
    assert isinstance(check, CheckStep) and check.args == {"variables": ["a", "b"]}
    assert isinstance(wait, WaitStep) and wait.seconds == 1.5
    assert isinstance(simulate, SimulateStep)
    assert (simulate.event, simulate.duration_s) == (SimulatedEvent.GO_OFFLINE, 60)
    assert isinstance(error, ExpectCallStep)
    assert error.reply_error == {"code": "NotImplemented", "description": "nope"}


def test_step_descriptions(packaged: Catalog) -> None:
    case = packaged.case("TC_019_1_CSMS")
    assert describe_step(case.steps[0]) == "operator: make the CSMS send GetConfiguration"
    assert describe_step(case.steps[1]) == "expect GetConfiguration from the CSMS"


# -- file:line errors ----------------------------------------------------------------------------


def test_schema_violation_deep_in_a_step(tmp_path: Path) -> None:
    text = CASE + "  - expect_call: Reset\n    within_s: -1\n"
    path = write(tmp_path, "core/TC_001_CSMS.yaml", text)
    with pytest.raises(DocumentError) as info:
        load_case(path)
    assert str(info.value) == f"{path}:12: steps/1/within_s: -1 is less than the minimum of 0"


def test_schema_violation_in_a_matcher(tmp_path: Path) -> None:
    text = CASE.replace("status: Accepted", "status: {one_of: []}")
    path = write(tmp_path, "core/TC_001_CSMS.yaml", text)
    with pytest.raises(DocumentError) as info:
        load_case(path)
    assert str(info.value).startswith(f"{path}:10: steps/0/expect/status/one_of: ")


def test_two_step_kinds_in_one_step(tmp_path: Path) -> None:
    text = CASE + "  - expect_call: Reset\n    send: Heartbeat\n"
    path = write(tmp_path, "core/TC_001_CSMS.yaml", text)
    with pytest.raises(DocumentError) as info:
        load_case(path)
    message = str(info.value)
    assert message.startswith(f"{path}:11: steps/1: ")
    assert "expect_call" in message


def test_step_without_a_kind(tmp_path: Path) -> None:
    text = CASE + "  - label: nothing to do\n"
    path = write(tmp_path, "core/TC_001_CSMS.yaml", text)
    with pytest.raises(DocumentError) as info:
        load_case(path)
    assert str(info.value) == (
        f"{path}:11: a step needs exactly one of send, expect_call, operator, state, reconnect,"
        " forbid, check, wait, simulate, disconnect (found: none)"
    )


def test_unknown_step_key(tmp_path: Path) -> None:
    text = CASE + "  - send: Heartbeat\n    expekt: {status: x}\n"
    path = write(tmp_path, "core/TC_001_CSMS.yaml", text)
    with pytest.raises(DocumentError) as info:
        load_case(path)
    assert str(info.value).startswith(f"{path}:11: steps/1: ")
    assert "expekt" in str(info.value)


def test_unknown_profile_name(tmp_path: Path) -> None:
    path = write(tmp_path, "core/TC_001_CSMS.yaml", CASE.replace("profile: core", "profile: kore"))
    with pytest.raises(DocumentError, match=r":3: profile: 'kore' is not one of"):
        load_case(path)


def test_invalid_yaml_syntax(tmp_path: Path) -> None:
    path = write(tmp_path, "core/TC_001_CSMS.yaml", CASE.replace("    expect:", "   expect:"))
    with pytest.raises(DocumentError) as info:
        load_case(path)
    assert str(info.value).startswith(f"{path}:9: not valid YAML: ")


def test_reusable_state_among_the_cases(tmp_path: Path) -> None:
    path = write(tmp_path, "core/booted.yaml", BOOTED)
    with pytest.raises(DocumentError, match=r":1: a reusable state belongs in testcases/_states/"):
        load_case(path)


def test_case_among_the_states(tmp_path: Path) -> None:
    path = write(tmp_path, "_states/x.yaml", CASE)
    with pytest.raises(
        DocumentError, match=r":1: a file in _states/ must start with `state: <name>`"
    ):
        load_state(path)


def test_state_name_must_match_its_file(tmp_path: Path) -> None:
    path = write(tmp_path, "_states/other.yaml", "# leading comment\n" + BOOTED)
    with pytest.raises(DocumentError) as info:
        load_state(path)
    assert str(info.value) == f"{path}:2: state 'booted' must live in booted.yaml"


def test_case_id_must_match_the_file_name(tmp_path: Path) -> None:
    message = error_of(tmp_path, {"_states/booted.yaml": BOOTED, "core/TC_002_CSMS.yaml": CASE})
    assert message == "core/TC_002_CSMS.yaml:1: case TC_001_CSMS must live in TC_001_CSMS.yaml"


def test_profile_must_match_the_folder(tmp_path: Path) -> None:
    message = error_of(
        tmp_path, {"_states/booted.yaml": BOOTED, "reservation/TC_001_CSMS.yaml": CASE}
    )
    assert message == "reservation/TC_001_CSMS.yaml:3: a core case belongs in testcases/core/"


def test_profile_mismatch_points_at_the_profile_line(tmp_path: Path) -> None:
    files = {"_states/booted.yaml": BOOTED, "reservation/TC_001_CSMS.yaml": "# c\n# c\n" + CASE}
    assert error_of(tmp_path, files).startswith("reservation/TC_001_CSMS.yaml:5: ")


def test_case_id_mismatch_points_at_the_id_line(tmp_path: Path) -> None:
    files = {"_states/booted.yaml": BOOTED, "core/TC_002_CSMS.yaml": "# a comment\n" + CASE}
    assert error_of(tmp_path, files).startswith("core/TC_002_CSMS.yaml:2: ")


def test_load_case_alone_checks_the_file_name_and_folder(tmp_path: Path) -> None:
    wrong_name = write(tmp_path, "core/TC_002_CSMS.yaml", CASE)
    with pytest.raises(DocumentError) as info:
        load_case(wrong_name)
    assert str(info.value) == f"{wrong_name}:1: case TC_001_CSMS must live in TC_001_CSMS.yaml"
    wrong_folder = write(tmp_path, "reservation/TC_001_CSMS.yaml", CASE)
    with pytest.raises(DocumentError) as info:
        load_case(wrong_folder)
    assert str(info.value) == f"{wrong_folder}:3: a core case belongs in testcases/core/"


def test_unknown_state_in_a_state_step(tmp_path: Path) -> None:
    text = CASE + "  - state: missing\n"
    message = error_of(tmp_path, {"_states/booted.yaml": BOOTED, "core/TC_001_CSMS.yaml": text})
    assert message == "core/TC_001_CSMS.yaml:11: unknown reusable state 'missing'"


def test_unknown_state_in_before(tmp_path: Path) -> None:
    message = error_of(tmp_path, {"core/TC_001_CSMS.yaml": CASE})
    assert message == "core/TC_001_CSMS.yaml:6: unknown reusable state 'booted'"


def test_unknown_state_in_before_points_at_the_before_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, {"core/TC_001_CSMS.yaml": CASE})
    assert message.startswith("core/TC_001_CSMS.yaml:6: ")


def test_unknown_state_in_a_before_list_points_at_its_item(tmp_path: Path) -> None:
    text = CASE.replace("before: [booted]", "before:\n  - booted\n  - missing")
    message = error_of(tmp_path, {"_states/booted.yaml": BOOTED, "core/TC_001_CSMS.yaml": text})
    assert message == "core/TC_001_CSMS.yaml:8: unknown reusable state 'missing'"


def test_load_case_checks_before_against_the_given_states(tmp_path: Path) -> None:
    text = CASE.replace("before: [booted]", "before:\n  - booted\n  - missing")
    path = write(tmp_path, "core/TC_001_CSMS.yaml", text)
    states = {"booted": load_state(write(tmp_path, "_states/booted.yaml", BOOTED))}
    with pytest.raises(DocumentError) as info:
        load_case(path, states)
    assert str(info.value) == f"{path}:8: unknown reusable state 'missing'"
    with pytest.raises(DocumentError) as info:
        load_case(path, {})
    assert str(info.value) == f"{path}:7: unknown reusable state 'booted'"
    # Without states, the names are not checked (load_catalog checks them with its own).
    assert load_case(path).before == ("booted", "missing")


def test_unknown_state_referenced_by_a_state(tmp_path: Path) -> None:
    files = {"_states/a.yaml": "state: a\ntitle: a\nsteps:\n  - send: Heartbeat\n  - state: zzz\n"}
    assert error_of(tmp_path, files) == "_states/a.yaml:5: unknown reusable state 'zzz'"


def test_state_cycle_through_state_steps(tmp_path: Path) -> None:
    files = {
        "_states/a.yaml": "state: a\ntitle: a\nsteps:\n  - send: Heartbeat\n  - state: b\n",
        "_states/b.yaml": "state: b\ntitle: b\nsteps:\n  - state: a\n",
    }
    assert (
        error_of(tmp_path, files) == "_states/b.yaml:4: reusable states form a cycle: a -> b -> a"
    )


def test_state_cycle_through_before(tmp_path: Path) -> None:
    files = {
        "_states/a.yaml": "state: a\ntitle: a\nbefore: [b]\nsteps:\n  - send: Heartbeat\n",
        "_states/b.yaml": "state: b\ntitle: b\nbefore: [a]\nsteps:\n  - send: Heartbeat\n",
    }
    message = error_of(tmp_path, files)
    assert message == "_states/b.yaml:3: reusable states form a cycle: a -> b -> a"


def test_state_cycle_through_before_points_at_the_before_line(tmp_path: Path) -> None:
    files = {
        "_states/a.yaml": "state: a\ntitle: a\nbefore: [b]\nsteps:\n  - send: Heartbeat\n",
        "_states/b.yaml": "state: b\ntitle: b\nsteps:\n  - send: Heartbeat\nbefore: [a]\n",
    }
    message = error_of(tmp_path, files)
    assert message == "_states/b.yaml:5: reusable states form a cycle: a -> b -> a"


def test_unknown_state_in_a_states_before_points_at_the_before_line(tmp_path: Path) -> None:
    text = "state: a\ntitle: a\n# c\nbefore: [zzz]\nsteps:\n  - send: Heartbeat\n"
    files = {"_states/a.yaml": text}
    assert error_of(tmp_path, files) == "_states/a.yaml:4: unknown reusable state 'zzz'"


def test_state_referring_to_itself_is_a_cycle(tmp_path: Path) -> None:
    files = {"_states/a.yaml": "state: a\ntitle: a\nsteps:\n  - state: a\n"}
    assert error_of(tmp_path, files) == "_states/a.yaml:4: reusable states form a cycle: a -> a"


def test_unknown_check_name(tmp_path: Path) -> None:
    text = CASE + "  - check: nope\n"
    files = {"_states/booted.yaml": BOOTED, "core/TC_001_CSMS.yaml": text}
    message = error_of(tmp_path, files, known_checks=frozenset(CHECKS))
    assert message == (
        "core/TC_001_CSMS.yaml:11: unknown check 'nope'; known: certificate_hash_data,"
        " certificate_signed, distinct_values, firmware_signature, same_certificate, tls_server,"
        " value_matches"
    )


def test_unknown_check_name_in_a_state(tmp_path: Path) -> None:
    files = {"_states/booted.yaml": BOOTED + "  - check: nope\n"}
    message = error_of(tmp_path, files, known_checks=frozenset({"x", "a"}))
    assert message == "_states/booted.yaml:7: unknown check 'nope'; known: a, x"


def test_check_names_are_not_checked_without_a_registry(tmp_path: Path) -> None:
    root = catalog_root(
        tmp_path,
        {"_states/booted.yaml": BOOTED, "core/TC_001_CSMS.yaml": CASE + "  - check: nope\n"},
    )
    assert len(load_catalog(root).cases) == 1


def test_schema_error_in_a_state_file(tmp_path: Path) -> None:
    files = {"_states/booted.yaml": "state: booted\ntitle: b\nsteps: []\n"}
    assert error_of(tmp_path, files) == "_states/booted.yaml:3: steps: [] should be non-empty"


def test_operator_use_is_inherited_from_states(tmp_path: Path) -> None:
    booted = "state: booted\ntitle: b\nsteps:\n  - operator: Reset\n    say: do it\n"
    root = catalog_root(tmp_path, {"_states/booted.yaml": booted, "core/TC_001_CSMS.yaml": CASE})
    assert load_catalog(root).cases[0].needs_operator


def test_cases_are_ordered_by_profile_then_id(tmp_path: Path) -> None:
    def case(case_id: str, profile: str) -> str:
        return CASE.replace("TC_001_CSMS", case_id).replace("profile: core", f"profile: {profile}")

    root = catalog_root(
        tmp_path,
        {
            "_states/booted.yaml": BOOTED,
            "reservation/TC_046_CSMS.yaml": case("TC_046_CSMS", "reservation"),
            "core/TC_010_CSMS.yaml": case("TC_010_CSMS", "core"),
            "core/TC_003_CSMS.yaml": case("TC_003_CSMS", "core"),
            "firmware-management/TC_044_1_CSMS.yaml": case("TC_044_1_CSMS", "firmware-management"),
        },
    )
    ids = [c.id for c in load_catalog(root).cases]
    assert ids == ["TC_003_CSMS", "TC_010_CSMS", "TC_044_1_CSMS", "TC_046_CSMS"]


# -- reusable states with parameters ---------------------------------------------------------------

PARAMETRISED = """\
state: param
title: A state with parameters
parameters:
  who: "{valid_id_tag}"
  parent: null
steps:
  - send: Authorize
    payload: {idTag: "{who}"}
"""

OUTER = """\
state: outer
title: Runs param
steps:
  - state: param
"""


def test_parameters_and_state_step_arguments_and_expectations(tmp_path: Path) -> None:
    text = CASE + (
        "  - state: param\n"
        "    with: {who: OTHER}\n"
        "    expect:\n"
        "      Authorize: {idTagInfo.status: Accepted}\n"
    )
    files = {
        "_states/booted.yaml": BOOTED,
        "_states/param.yaml": PARAMETRISED,
        "core/TC_001_CSMS.yaml": text,
    }
    catalog = load_catalog(catalog_root(tmp_path, files))
    assert catalog.states["param"].parameters == {"who": "{valid_id_tag}", "parent": None}
    assert catalog.states["booted"].parameters == {}
    step = catalog.case("TC_001_CSMS").steps[-1]
    assert step == StateStep(
        step.location,
        "",
        "",
        "param",
        {"who": "OTHER"},
        {"Authorize": {"idTagInfo.status": "Accepted"}},
    )
    assert describe_step(step) == "reusable state param (who=OTHER)"


def test_a_state_step_may_set_the_parameters_of_the_states_it_runs(tmp_path: Path) -> None:
    text = CASE + "  - state: outer\n    with: {parent: P}\n"
    files = {
        "_states/booted.yaml": BOOTED,
        "_states/param.yaml": PARAMETRISED,
        "_states/outer.yaml": OUTER,
        "core/TC_001_CSMS.yaml": text,
    }
    catalog = load_catalog(catalog_root(tmp_path, files))
    assert accepted_arguments(catalog.states, "outer") == {"who", "parent"}
    assert accepted_arguments(catalog.states, "booted") == frozenset()


def test_an_unknown_argument_names_the_parameters(tmp_path: Path) -> None:
    text = CASE + "  - state: param\n    with: {whom: X}\n"
    files = {
        "_states/booted.yaml": BOOTED,
        "_states/param.yaml": PARAMETRISED,
        "core/TC_001_CSMS.yaml": text,
    }
    assert error_of(tmp_path, files) == (
        "core/TC_001_CSMS.yaml:11: state 'param' has no parameter whom"
        " (its parameters: parent, who)"
    )


def test_an_unknown_argument_inside_a_state(tmp_path: Path) -> None:
    files = {
        "_states/param.yaml": PARAMETRISED,
        "_states/outer.yaml": OUTER + "  - state: param\n    with: {x: 1}\n",
    }
    assert error_of(tmp_path, files) == (
        "_states/outer.yaml:5: state 'param' has no parameter x (its parameters: parent, who)"
    )


def test_a_state_without_parameters_takes_no_arguments(tmp_path: Path) -> None:
    text = CASE + "  - state: booted\n    with: {x: 1}\n"
    files = {"_states/booted.yaml": BOOTED, "core/TC_001_CSMS.yaml": text}
    assert error_of(tmp_path, files).endswith("has no parameter x (its parameters: none)")


def test_state_step_expectations_are_keyed_by_action(tmp_path: Path) -> None:
    text = CASE + "  - state: booted\n    expect:\n      notAnAction: {a: 1}\n"
    files = {"_states/booted.yaml": BOOTED, "core/TC_001_CSMS.yaml": text}
    assert "notAnAction" in error_of(tmp_path, files)


def test_reservation_expiry_is_a_simulated_event(tmp_path: Path) -> None:
    text = CASE + "  - simulate: reservation_expiry\n    duration_s: 60\n"
    files = {"_states/booted.yaml": BOOTED, "core/TC_001_CSMS.yaml": text}
    step = load_catalog(catalog_root(tmp_path, files)).case("TC_001_CSMS").steps[-1]
    assert isinstance(step, SimulateStep)
    assert (step.event, step.duration_s) == (SimulatedEvent.RESERVATION_EXPIRY, 60)
    assert describe_step(step) == "simulate reservation expiry"


# -- the security whitepaper's step options ----------------------------------------------------

SECURITY_CASE = """\
id: TC_085_CSMS
title: Basic auth
profile: security
reference: {oca: "[2024-04] T900 p.1"}
checks: [refused without credentials]
security_profiles: [1, 2]
charge_point_id: "{sp1_charge_point_id}"
steps:
  - disconnect:
  - reconnect: {credentials: none, refused: true}
  - reconnect: {security_profile: "{security_profile}", client_certificate: expired, refused: true}
  - reconnect: {subprotocols: [ocpp0.1, ocpp1.6]}
  - send: SignCertificate
    followed_by: [CertificateSigned]
  - state: booted
    when: {security_profile: "1"}
  - simulate: log_upload
"""


def test_security_options_of_cases_and_steps(tmp_path: Path) -> None:
    from octt.catalog.model import ClientCertificateChoice, DisconnectStep

    files = {"_states/booted.yaml": BOOTED, "security/TC_085_CSMS.yaml": SECURITY_CASE}
    case = load_catalog(catalog_root(tmp_path, files)).case("TC_085_CSMS")
    assert case.security_profiles == (1, 2)
    assert case.charge_point_id == "{sp1_charge_point_id}"
    closed, none, expired, offered, sign, booted, upload = case.steps
    assert isinstance(closed, DisconnectStep) and step_kind(closed) == "disconnect"
    assert describe_step(closed) == "the charge point closes the connection"
    assert isinstance(none, ReconnectStep) and not none.credentials and none.refused
    assert describe_step(none) == "reconnect without credentials (the CSMS must refuse)"
    assert isinstance(expired, ReconnectStep)
    assert expired.client_certificate is ClientCertificateChoice.EXPIRED
    assert "expired client certificate" in describe_step(expired)
    assert isinstance(offered, ReconnectStep) and offered.credentials and not offered.refused
    assert describe_step(offered) == "reconnect offering ocpp0.1, ocpp1.6"
    assert isinstance(sign, SendStep) and sign.followed_by == ("CertificateSigned",)
    assert isinstance(booted, StateStep) and booted.when == {"security_profile": "1"}
    assert isinstance(upload, SimulateStep) and upload.event is SimulatedEvent.LOG_UPLOAD


def test_security_options_are_checked_by_the_schema(tmp_path: Path) -> None:
    bad = SECURITY_CASE.replace("credentials: none", "credentials: maybe")
    files = {"_states/booted.yaml": BOOTED, "security/TC_085_CSMS.yaml": bad}
    assert "security/TC_085_CSMS.yaml:10" in error_of(tmp_path, files)
    bad = SECURITY_CASE.replace("security_profiles: [1, 2]", "security_profiles: [4]")
    files = {"_states/booted.yaml": BOOTED, "security/TC_085_CSMS.yaml": bad}
    assert "security/TC_085_CSMS.yaml:6" in error_of(tmp_path, files)


def test_the_packaged_security_cases(packaged: Catalog) -> None:
    security = [c for c in packaged.cases if c.profile is Profile.SECURITY]
    assert len(security) == 15 and all(c.security_profiles for c in security)
    assert packaged.case("TC_083_CSMS").charge_point_id == "{upgrade_charge_point_id}"
    assert all(
        c.needs_operator
        for c in security
        if c.id not in ("TC_085_CSMS", "TC_086_CSMS", "TC_087_CSMS", "TC_088_CSMS")
    )
