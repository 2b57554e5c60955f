"""needed_actions: the CSMS-initiated actions the claimed profiles' cases ask the operator for
(states included); the check itself runs end to end in tests/unit/cli/test_cli_operator_cmd.py."""

from __future__ import annotations

from pathlib import Path

from octt.catalog.loader import load_catalog
from octt.catalog.selection import select
from octt.engine.checks import CHECKS
from octt.operator.check import ActionCheck, needed_actions
from octt.pics.model import load_pics
from octt.resources import default_pics_path

ACME_PICS = Path(__file__).resolve().parents[3] / "examples" / "ocpp_lib_csms" / "acme-pics.yaml"


def test_core_only_needs_the_seven_core_actions() -> None:
    catalog = load_catalog(known_checks=frozenset(CHECKS))
    plan = select(catalog, load_pics(ACME_PICS))
    assert set(needed_actions(catalog, plan)) == {
        "RemoteStartTransaction", "RemoteStopTransaction", "Reset", "UnlockConnector",
        "GetConfiguration", "ChangeConfiguration", "ClearCache",
    }  # fmt: skip


def test_every_profile_adds_its_actions_and_states_count() -> None:
    catalog = load_catalog(known_checks=frozenset(CHECKS))
    actions = needed_actions(catalog, select(catalog, load_pics(default_pics_path())))
    assert len(actions) == len(set(actions))
    # ReserveNow is asked for only inside the reserve_now state; DeleteCertificate only in
    # certificate_deleted.
    assert {"ReserveNow", "DeleteCertificate", "SendLocalList", "SetChargingProfile"} <= set(
        actions
    )


def test_an_action_works_only_when_it_arrived_without_a_problem() -> None:
    assert ActionCheck("Reset", True, 0.1).works
    assert not ActionCheck("Reset", True, 0.1, "not a valid Reset.req").works
    assert not ActionCheck("Reset", False, 0.1).works
