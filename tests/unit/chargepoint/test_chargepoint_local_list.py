"""The simulated charge point's Local Authorization List: versions, Full and Differential
updates, limits, and its answers to GetLocalListVersion and SendLocalList (OCPP 1.6 §5.10,
§5.15, §9.2)."""

from __future__ import annotations

from typing import Any

import pytest

from octt.chargepoint.local_list import (
    Entry,
    ListUpdate,
    LocalAuthList,
    UpdateStatus,
    UpdateType,
)
from octt.chargepoint.model import ChargePointState
from octt.chargepoint.responder import commit, default_reply

ACCEPTED = {"status": "Accepted"}


def state() -> ChargePointState:
    return ChargePointState.create("CP-1", "octt", "octt-sim", 2, default_id_tag="VALID")


def send(cp: ChargePointState, payload: dict[str, Any], reply: Any = None) -> Any:
    answer = reply or default_reply(cp, "SendLocalList", payload, known_action=True)
    commit(cp, "SendLocalList", payload, answer)
    return answer


def full(version: int, *tags: str, info: bool = True) -> dict[str, Any]:
    entries = [{"idTag": t, **({"idTagInfo": ACCEPTED} if info else {})} for t in tags]
    return {"listVersion": version, "updateType": "Full", "localAuthorizationList": entries}


def differential(version: int, *entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "listVersion": version,
        "updateType": "Differential",
        "localAuthorizationList": list(entries),
    }


def version_of(cp: ChargePointState) -> Any:
    return default_reply(cp, "GetLocalListVersion", {}, known_action=True)


# -- reading a request ----------------------------------------------------------------------------


def test_update_from_payload() -> None:
    update = ListUpdate.from_payload(
        differential(3, {"idTag": "A", "idTagInfo": ACCEPTED}, {"idTag": "B"})
    )
    assert update == ListUpdate(
        3, UpdateType.DIFFERENTIAL, (Entry("A", ACCEPTED), Entry("B", None))
    )
    assert ListUpdate.from_payload({"listVersion": 1, "updateType": "Full"}) == ListUpdate(
        1, UpdateType.FULL, ()
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"listVersion": "1", "updateType": "Full"},
        {"listVersion": True, "updateType": "Full"},
        {"listVersion": 1, "updateType": "Partial"},
        {"listVersion": 1, "updateType": "Full", "localAuthorizationList": {"idTag": "A"}},
        {"listVersion": 1, "updateType": "Full", "localAuthorizationList": [{"idTag": 5}]},
    ],
)
def test_unreadable_requests(payload: dict[str, Any]) -> None:
    assert ListUpdate.from_payload(payload) is None


# -- GetLocalListVersion (§5.10) ------------------------------------------------------------------


def test_a_fresh_charge_point_has_an_empty_list_version_0() -> None:
    assert version_of(state()) == {"listVersion": 0}


def test_a_charge_point_without_a_local_list_answers_minus_1() -> None:
    cp = state()
    cp.local_list.supported = False
    assert version_of(cp) == {"listVersion": -1}


def test_the_version_is_the_one_the_csms_sent() -> None:
    cp = state()
    send(cp, full(7, "A", "B"))
    assert version_of(cp) == {"listVersion": 7}


def test_an_emptied_list_reports_version_0() -> None:
    cp = state()
    send(cp, full(7, "A"))
    send(cp, full(8))
    assert version_of(cp) == {"listVersion": 0}


# -- SendLocalList Full ----------------------------------------------------------------------------


def test_full_update_replaces_the_list() -> None:
    cp = state()
    assert send(cp, full(1, "A", "B")) == ACCEPTED
    assert send(cp, full(2, "C")) == ACCEPTED
    assert cp.local_list.lookup("C") == ACCEPTED
    assert cp.local_list.lookup("A") is None


def test_lookup_is_case_insensitive() -> None:
    cp = state()
    send(cp, full(1, "Tag-A"))
    assert cp.local_list.lookup("TAG-a") == ACCEPTED


def test_full_update_entries_need_an_idtaginfo() -> None:
    cp = state()
    assert send(cp, full(1, "A", info=False)) == {"status": "Failed"}
    assert version_of(cp) == {"listVersion": 0}


def test_forced_accept_of_a_full_list_keeps_only_entries_with_idtaginfo() -> None:
    cp = state()
    payload = full(4, "A")
    payload["localAuthorizationList"].append({"idTag": "B"})
    send(cp, payload, ACCEPTED)
    assert cp.local_list.lookup("A") == ACCEPTED
    assert cp.local_list.lookup("B") is None
    assert version_of(cp) == {"listVersion": 4}


def test_not_supported_when_the_charge_point_has_no_list() -> None:
    cp = state()
    cp.local_list.supported = False
    assert send(cp, full(1, "A")) == {"status": "NotSupported"}


def test_rejected_answer_changes_nothing() -> None:
    cp = state()
    send(cp, full(1, "A"))
    send(cp, full(2, "B"), {"status": "Failed"})
    assert cp.local_list.lookup("A") == ACCEPTED
    assert version_of(cp) == {"listVersion": 1}


def test_unreadable_request_fails() -> None:
    cp = state()
    assert send(cp, {"listVersion": "x", "updateType": "Full"}) == {"status": "Failed"}


# -- SendLocalList Differential -------------------------------------------------------------------


def test_differential_adds_updates_and_removes() -> None:
    cp = state()
    send(cp, full(1, "A", "B"))
    blocked = {"status": "Blocked"}
    answer = send(
        cp,
        differential(
            2,
            {"idTag": "C", "idTagInfo": ACCEPTED},
            {"idTag": "A", "idTagInfo": blocked},
            {"idTag": "b"},
        ),
    )
    assert answer == ACCEPTED
    assert (cp.local_list.lookup("A"), cp.local_list.lookup("B")) == (blocked, None)
    assert cp.local_list.lookup("C") == ACCEPTED
    assert version_of(cp) == {"listVersion": 2}


@pytest.mark.parametrize("version", [0, 3, 5])
def test_differential_must_raise_the_version(version: int) -> None:
    cp = state()
    send(cp, full(5, "A"))
    entry = {"idTag": "C", "idTagInfo": ACCEPTED}
    assert send(cp, differential(version, entry)) == {"status": "VersionMismatch"}
    assert cp.local_list.lookup("C") is None


def test_differential_on_an_empty_list() -> None:
    cp = state()
    assert send(cp, differential(1, {"idTag": "C", "idTagInfo": ACCEPTED})) == ACCEPTED


# -- limits (§9.2) ---------------------------------------------------------------------------------


def test_more_entries_than_send_local_list_max_length_fail() -> None:
    cp = state()
    cp.config.force("SendLocalListMaxLength", "2")
    assert send(cp, full(1, "A", "B", "C")) == {"status": "Failed"}
    assert send(cp, full(1, "A", "B")) == ACCEPTED


def test_more_entries_than_local_auth_list_max_length_fail() -> None:
    cp = state()
    cp.config.force("LocalAuthListMaxLength", "2")
    send(cp, full(1, "A", "B"))
    more = differential(2, {"idTag": "C", "idTagInfo": ACCEPTED})
    assert send(cp, more) == {"status": "Failed"}
    swap = differential(2, {"idTag": "C", "idTagInfo": ACCEPTED}, {"idTag": "A"})
    assert send(cp, swap) == ACCEPTED


def test_a_disabled_list_is_still_maintained() -> None:
    cp = state()
    cp.config.force("LocalAuthListEnabled", "false")
    assert send(cp, full(1, "A")) == ACCEPTED
    assert cp.local_list.lookup("A") == ACCEPTED


def test_judging_does_not_change_the_list() -> None:
    local = LocalAuthList()
    update = ListUpdate(1, UpdateType.FULL, (Entry("A", ACCEPTED),))
    assert local.judge(update, max_per_request=5, max_stored=5) is UpdateStatus.ACCEPTED
    assert local.entries == {}
