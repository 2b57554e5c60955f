"""Fault switches: names, descriptions, layers, parsing."""

from __future__ import annotations

import re

import pytest

from octt.reference.faults import Fault, FaultLayer, describe, layer, parse_faults

KEBAB = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def test_every_fault_is_kebab_case_and_described() -> None:
    for fault in Fault:
        assert KEBAB.fullmatch(fault.value), fault
        text = describe(fault)
        assert text and "\n" not in text
        assert isinstance(layer(fault), FaultLayer)


def test_brief_faults_exist() -> None:
    expected = {
        "boot-rejected", "heartbeat-bad-time", "authorize-rejects-valid",
        "authorize-accepts-unknown", "ignore-tag-status", "start-transaction-rejected",
        "start-requires-authorize", "reject-past-timestamps", "stop-transaction-extra-field",
        "status-notification-callerror", "data-transfer-callerror", "data-transfer-accepted",
        "slow-authorize", "drop-triggered-calls", "clear-cache-extra-field",
        "remote-start-missing-idtag", "remote-stop-wrong-transaction", "remote-stop-string-id",
        "reset-wrong-type", "unlock-string-connector", "get-configuration-wrong-keys",
        "change-configuration-wrong-value", "change-configuration-numeric-value",
        "unknown-unique-id", "garbage-after-boot", "boot-extra-property",
        "boot-missing-interval", "boot-interval-string", "boot-bad-datetime",
        "heartbeat-callerror",
    }  # fmt: skip
    # The Core faults; the other profiles add their own (tested below and in their modules).
    assert expected <= {fault.value for fault in Fault}


def test_firmware_management_and_smart_charging_faults_exist() -> None:
    expected = {
        "firmware-failure-status-callerror", "diagnostics-upload-failed-callerror",
        "update-firmware-wrong-location", "get-diagnostics-relative-location",
        "set-charging-profile-wrong-purpose", "set-charging-profile-wrong-stack-level",
        "set-charging-profile-recurring", "set-charging-profile-missing-valid-from",
        "set-charging-profile-stray-transaction-id", "set-charging-profile-wrong-transaction",
        "set-charging-profile-single-phase", "clear-charging-profile-wrong-criteria",
        "get-composite-schedule-wrong-duration", "get-composite-schedule-wrong-unit",
        "remote-start-without-charging-profile", "remote-start-relative-with-start-schedule",
    }  # fmt: skip
    assert expected <= {fault.value for fault in Fault}


def test_parse_faults() -> None:
    assert parse_faults([]) == frozenset()
    assert parse_faults(["boot-rejected", " slow-authorize ", "boot-rejected"]) == {
        Fault.BOOT_REJECTED,
        Fault.SLOW_AUTHORIZE,
    }


def test_parse_faults_names_the_unknown_one_and_lists_valid_ones() -> None:
    with pytest.raises(ValueError) as caught:
        parse_faults(["boot-rejected", "no-such-fault"])
    message = str(caught.value)
    assert "'no-such-fault'" in message
    assert "boot-rejected" in message and "garbage-after-boot" in message


def test_local_list_reservation_and_trigger_faults_exist() -> None:
    expected = {
        "get-local-list-version-extra-field", "send-local-list-wrong-type",
        "send-local-list-no-idtaginfo", "send-local-list-stale-version",
        "reserve-now-wrong-connector", "reserve-now-any-connector", "reserve-now-wrong-idtag",
        "reserve-now-late-expiry", "cancel-reservation-wrong-id", "cancel-reservation-string-id",
        "cancel-reservation-active-id",
        "change-availability-operative", "change-availability-wrong-connector",
        "trigger-message-wrong-message", "trigger-message-wrong-connector",
        "reserved-start-rejected", "reservation-ignores-parent",
    }  # fmt: skip
    assert expected <= {fault.value for fault in Fault}
    assert layer(Fault.RESERVED_START_REJECTED) is FaultLayer.HANDLER
    assert layer(Fault.RESERVE_NOW_WRONG_CONNECTOR) is FaultLayer.WIRE
