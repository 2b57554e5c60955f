"""The configuration keys of the simulated charge point (TC_019_1_CSMS, OCA 2024-04 T133)."""

from __future__ import annotations

import pytest

from octt.chargepoint.config_keys import (
    ALL_KEYS,
    Access,
    ChangeOutcome,
    ConfigurationStore,
    KeySpec,
    KeyValue,
)

# TC_019_1_CSMS (OCA 2024-04 T133 p.113): the keys and accessibility the tool answers with.
# AuthorizeRemoteTxRequests may be R or RW there; the simulator reports it read-only.
EXPECTED_ACCESS = {
    # Core
    "AuthorizeRemoteTxRequests": "R",
    "ClockAlignedDataInterval": "RW",
    "ConnectionTimeOut": "RW",
    "ConnectorPhaseRotation": "RW",
    "GetConfigurationMaxKeys": "R",
    "HeartbeatInterval": "RW",
    "LocalAuthorizeOffline": "RW",
    "LocalPreAuthorize": "RW",
    "MeterValuesAlignedData": "RW",
    "MeterValuesSampledData": "RW",
    "MeterValueSampleInterval": "RW",
    "NumberOfConnectors": "R",
    "ResetRetries": "RW",
    "StopTransactionOnEVSideDisconnect": "RW",
    "StopTransactionOnInvalidId": "RW",
    "StopTxnAlignedData": "RW",
    "StopTxnSampledData": "RW",
    "SupportedFeatureProfiles": "R",
    "TransactionMessageAttempts": "RW",
    "TransactionMessageRetryInterval": "RW",
    "UnlockConnectorOnEVSideDisconnect": "RW",
    # Local Auth List Management
    "LocalAuthListEnabled": "RW",
    "LocalAuthListMaxLength": "R",
    "SendLocalListMaxLength": "R",
    # Reservation
    "ReserveConnectorZeroSupported": "R",
    # Smart Charging
    "ChargeProfileMaxStackLevel": "R",
    "ChargingScheduleAllowedChargingRateUnit": "R",
    "ChargingScheduleMaxPeriods": "R",
    "MaxChargingProfilesInstalled": "R",
}


def test_key_set_and_access_are_those_of_tc_019_1() -> None:
    assert {spec.name: spec.access.value for spec in ALL_KEYS} == EXPECTED_ACCESS
    assert len(ALL_KEYS) == len(EXPECTED_ACCESS)  # no duplicates


def test_get_configuration_entries_carry_the_readonly_flags() -> None:
    entries, unknown = ConfigurationStore().entries()
    assert unknown == []
    assert {e.key: e.readonly for e in entries} == {
        k: access == "R" for k, access in EXPECTED_ACCESS.items()
    }
    assert all(isinstance(e.value, str) for e in entries)


def test_defaults_are_valid_values_of_their_keys() -> None:
    for spec in ALL_KEYS:
        if spec.name == "ConnectorPhaseRotation":
            continue
        assert spec.valid(spec.default), spec.name


def test_connector_dependent_values_follow_the_number_of_connectors() -> None:
    store = ConfigurationStore(number_of_connectors=3)
    assert store.get("NumberOfConnectors") == "3"
    assert store.get_int("NumberOfConnectors") == 3
    assert store.get("ConnectorPhaseRotation") == "0.RST,1.RST,2.RST,3.RST"


def test_typed_getters() -> None:
    store = ConfigurationStore()
    assert store.get_int("HeartbeatInterval") == 300
    assert store.get_bool("StopTransactionOnInvalidId") is True
    assert store.get_bool("LocalPreAuthorize") is False
    store.force("LocalPreAuthorize", "TRUE")
    assert store.get_bool("LocalPreAuthorize") is True


def test_supported_feature_profiles_list_the_16_profile_names() -> None:
    assert ConfigurationStore().get("SupportedFeatureProfiles").split(",") == [
        "Core",
        "FirmwareManagement",
        "LocalAuthListManagement",
        "Reservation",
        "SmartCharging",
        "RemoteTrigger",
    ]


# -- GetConfiguration -----------------------------------------------------------------------------


def test_specific_keys_are_answered_in_the_order_asked() -> None:
    store = ConfigurationStore()
    entries, unknown = store.entries(["SupportedFeatureProfiles", "HeartbeatInterval"])
    assert entries == [
        KeyValue("SupportedFeatureProfiles", True, store.get("SupportedFeatureProfiles")),
        KeyValue("HeartbeatInterval", False, "300"),
    ]
    assert unknown == []


def test_unknown_keys_are_listed_separately() -> None:
    entries, unknown = ConfigurationStore().entries(
        ["Nope", "HeartbeatInterval", "AuthorizationKey"]
    )
    assert [e.key for e in entries] == ["HeartbeatInterval"]
    assert unknown == ["Nope", "AuthorizationKey"]


def test_keys_are_case_sensitive() -> None:
    store = ConfigurationStore()
    assert not store.known("heartbeatinterval")
    assert store.change("heartbeatinterval", "10") is ChangeOutcome.NOT_SUPPORTED


def test_empty_key_list_asks_for_nothing() -> None:
    assert ConfigurationStore().entries([]) == ([], [])


# -- ChangeConfiguration --------------------------------------------------------------------------


def test_change_outcome_values_are_the_16_statuses() -> None:
    assert {o.value for o in ChangeOutcome} == {
        "Accepted",
        "Rejected",
        "RebootRequired",
        "NotSupported",
    }


def test_unknown_key_is_not_supported() -> None:
    store = ConfigurationStore()
    assert store.change("NoSuchKey", "1") is ChangeOutcome.NOT_SUPPORTED
    assert not store.known("NoSuchKey")


@pytest.mark.parametrize("key", [k for k, a in EXPECTED_ACCESS.items() if a == "R"])
def test_read_only_key_is_rejected_and_unchanged(key: str) -> None:
    store = ConfigurationStore()
    before = store.get(key)
    assert store.change(key, before) is ChangeOutcome.REJECTED
    assert store.get(key) == before


def test_meter_value_sample_interval_minus_one_is_rejected() -> None:
    store = ConfigurationStore()
    assert store.change("MeterValueSampleInterval", "-1") is ChangeOutcome.REJECTED
    assert store.get("MeterValueSampleInterval") == "0"


def test_meter_value_sample_interval_60_is_accepted_and_stored() -> None:
    store = ConfigurationStore()
    assert store.would_accept("MeterValueSampleInterval", "60")
    assert store.change("MeterValueSampleInterval", "60") is ChangeOutcome.ACCEPTED
    assert store.get_int("MeterValueSampleInterval") == 60


@pytest.mark.parametrize(
    ("key", "value", "accepted"),
    [
        ("HeartbeatInterval", "0", True),
        ("HeartbeatInterval", "", False),
        ("HeartbeatInterval", "1.5", False),
        ("HeartbeatInterval", " 60", False),
        ("HeartbeatInterval", "+60", False),
        ("HeartbeatInterval", "sixty", False),
        ("LocalAuthorizeOffline", "false", True),
        ("LocalAuthorizeOffline", "False", True),
        ("LocalAuthorizeOffline", "yes", False),
        ("LocalAuthorizeOffline", "1", False),
        ("MeterValuesSampledData", "Energy.Active.Import.Register,Voltage", True),
        ("MeterValuesSampledData", "Voltage, SoC", True),
        ("MeterValuesSampledData", "", True),
        ("MeterValuesSampledData", "Energy.Active.Import.Register,", False),
        ("MeterValuesSampledData", "Volts", False),
        ("ConnectorPhaseRotation", "0.RST,1.RTS,2.NotApplicable", True),
        ("ConnectorPhaseRotation", "1.Unknown", True),
        ("ConnectorPhaseRotation", "RST", False),
        ("ConnectorPhaseRotation", "x.RST", False),
        ("ConnectorPhaseRotation", "1.ABC", False),
        ("ConnectionTimeOut", "120", True),
    ],
)
def test_values_are_validated(key: str, value: str, accepted: bool) -> None:
    store = ConfigurationStore()
    before = store.get(key)
    outcome = store.change(key, value)
    assert outcome is (ChangeOutcome.ACCEPTED if accepted else ChangeOutcome.REJECTED)
    assert store.get(key) == (value if accepted else before)


@pytest.mark.parametrize("value", ["²", "٣", "１２", "1٣"])
def test_integer_keys_accept_ascii_digits_only(value: str) -> None:
    store = ConfigurationStore()
    before = store.get("HeartbeatInterval")
    assert store.change("HeartbeatInterval", value) is ChangeOutcome.REJECTED
    assert store.get("HeartbeatInterval") == before
    assert store.change("HeartbeatInterval", "0123456789") is ChangeOutcome.ACCEPTED


def test_force_sets_even_read_only_keys() -> None:
    store = ConfigurationStore()
    store.force("NumberOfConnectors", "5")
    assert store.get("NumberOfConnectors") == "5"


def test_custom_key_specs() -> None:
    store = ConfigurationStore(
        (
            KeySpec("NumberOfConnectors", Access.READ_ONLY, "1"),
            KeySpec("X", Access.READ_WRITE, "a", lambda v: v in {"a", "b"}),
            KeySpec("ConnectorPhaseRotation", Access.READ_WRITE, ""),
        ),
        number_of_connectors=1,
    )
    assert store.change("X", "b") is ChangeOutcome.ACCEPTED
    assert store.change("X", "c") is ChangeOutcome.REJECTED
    assert store.change("HeartbeatInterval", "1") is ChangeOutcome.NOT_SUPPORTED
    assert store.entry("X") == KeyValue("X", False, "b")
