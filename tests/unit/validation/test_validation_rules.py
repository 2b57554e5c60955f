"""Rules beyond the schema, the direction table, and the date-time / URI formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from octt.findings import Severity
from octt.ocppj.frames import ErrorCode, load_json
from octt.validation import actions, formats, rules
from octt.validation.schemas import SchemaSet

# -- date-time -------------------------------------------------------------------------------------

VALID_DATE_TIMES = [
    "2026-01-01T10:00:00Z",
    "2026-01-01T10:00:00.000Z",
    "2026-01-01T10:00:00.1Z",
    "2026-01-01T10:00:00.123456789Z",
    "2026-01-01T10:00:00+01:00",
    "2026-01-01T10:00:00-00:00",
    "2026-01-01T10:00:00+23:59",
    "2026-01-01t10:00:00z",
    "2024-02-29T00:00:00Z",
    "2000-02-29T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2016-12-31T23:59:60Z",
    "2015-06-30T23:59:60Z",
    "2017-01-01T00:59:60+01:00",
    "2016-12-31T18:59:60-05:00",
]

INVALID_DATE_TIMES = [
    "",
    "yesterday",
    "2026-01-01 10:00:00",
    "2026-01-01 10:00:00Z",
    "2026-01-01T10:00:00",
    "2026-01-01T10:00Z",
    "2026-02-30T10:00:00Z",
    "2023-02-29T10:00:00Z",
    "1900-02-29T10:00:00Z",
    "2026-04-31T10:00:00Z",
    "2026-00-10T10:00:00Z",
    "2026-01-00T10:00:00Z",
    "2026-01-01T24:00:00Z",
    "2026-01-01T10:60:00Z",
    "2026-01-01T10:00:61Z",
    "2026-01-01T10:00:60Z",
    "2016-12-31T23:59:60+01:00",
    "2026-01-01T10:00:00+24:00",
    "2026-01-01T10:00:00+01:60",
    "2026-01-01T10:00:00+0100",
    "2026-01-01T10:00:00+01",
    "2026-01-01T10:00:00.Z",
    "2026-01-01T10:00:00,5Z",
    "2026-01-01T10:00:00Z ",
    "2026-01-01T10:00:00Z\n",
    " 2026-01-01T10:00:00Z",
    "26-01-01T10:00:00Z",
    "+2026-01-01T10:00:00Z",
    "2026-01-01T10:00:00UTC",
    "2026-01-01",
    "\u0662\u0660\u0662\u0666-01-01T10:00:00Z",
]


@pytest.mark.parametrize("text", VALID_DATE_TIMES)
def test_valid_date_times(text: str) -> None:
    assert formats.is_date_time(text)


@pytest.mark.parametrize("text", INVALID_DATE_TIMES)
def test_invalid_date_times(text: str) -> None:
    assert not formats.is_date_time(text)
    assert formats.parse_date_time(text) is None
    assert formats.utc_offset_minutes(text) is None


def test_non_strings_are_left_to_the_type_keyword() -> None:
    assert formats.is_date_time(12)
    assert formats.is_uri(None)


def test_parse_date_time() -> None:
    assert formats.parse_date_time("2026-01-01T10:00:00.1234567Z") == datetime(
        2026, 1, 1, 10, 0, 0, 123456, tzinfo=UTC
    )
    assert formats.parse_date_time("2026-01-01t11:30:00+01:30") == datetime(
        2026, 1, 1, 11, 30, tzinfo=timezone(timedelta(minutes=90))
    )
    assert formats.parse_date_time("2016-12-31T23:59:60Z") == datetime(
        2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC
    )
    assert formats.parse_date_time("0000-01-01T00:00:00Z") is None  # valid, not representable


def test_utc_offset_minutes() -> None:
    assert formats.utc_offset_minutes("2026-01-01T10:00:00Z") == 0
    assert formats.utc_offset_minutes("2026-01-01T10:00:00-00:00") == 0
    assert formats.utc_offset_minutes("2026-01-01T10:00:00-05:30") == -330


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("https://fw.example.com/f.bin", True),
        ("ftp://user:pw@host:21/dir/", True),
        ("sftp://host/a%20b", True),
        ("urn:example:x", True),
        ("/relative/path", False),
        ("host/path", False),
        ("https://host/a b", False),
        ("https:", False),
        ("1http://host", False),
        ("", False),
    ],
)
def test_uri(text: str, ok: bool) -> None:
    assert formats.is_uri(text) is ok


# -- ocpp.timestamp-not-utc ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2026-01-01T10:00:00Z",
        "2026-01-01T10:00:00z",
        "2026-01-01T10:00:00+00:00",
        "2026-01-01T10:00:00-00:00",
        "2026-01-01T10:00:00Z",  # no milliseconds: fine (OCPP 1.6 §3.15)
        "2026-01-01 10:00:00+01:00",  # invalid: the schema's finding, not this rule's
    ],
)
def test_no_utc_warning(value: str) -> None:
    assert rules.timestamp_not_utc("Heartbeat.conf", "/currentTime", value) is None


def test_utc_warning() -> None:
    finding = rules.timestamp_not_utc("Heartbeat.conf", "/currentTime", "2026-01-01T05:00:00-05:00")
    assert finding is not None
    assert finding.rule == "ocpp.timestamp-not-utc"
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "Heartbeat.conf /currentTime: '2026-01-01T05:00:00-05:00' is in UTC-05:00; "
        "OCPP 1.6 strongly recommends UTC for all time values"
    )
    assert "§3.14" in finding.spec


# -- directions ------------------------------------------------------------------------------------


def test_direction_table_matches_the_schema_set() -> None:
    schemas = SchemaSet.load()
    assert schemas.actions() == actions.ALL_ACTIONS
    both = actions.CHARGE_POINT_INITIATED & actions.CSMS_INITIATED
    assert both == {"DataTransfer"}
    assert len(actions.CORE_CHARGE_POINT_INITIATED | actions.CORE_CSMS_INITIATED) == 28
    assert len(actions.SECURITY_CHARGE_POINT_INITIATED | actions.SECURITY_CSMS_INITIATED) == 11


def test_may_initiate() -> None:
    assert actions.may_initiate("BootNotification", "charge point") is True
    assert actions.may_initiate("BootNotification", "CSMS") is False
    assert actions.may_initiate("Reset", "CSMS") is True
    assert actions.may_initiate("FooBar", "CSMS") is None


def test_action_direction() -> None:
    assert rules.action_direction("Reset", "CSMS") is None
    assert rules.action_direction("FooBar", "CSMS") is None
    finding = rules.action_direction("SignCertificate", "CSMS")
    assert finding is not None
    assert finding.rule == "ocpp.action-direction"
    assert (
        finding.message
        == "the CSMS sent a SignCertificate CALL, which only the charge point initiates"
    )
    assert "Security Whitepaper" in finding.spec
    other = rules.action_direction("Reset", "charge point")
    assert other is not None and "only the CSMS initiates" in other.message
    assert "§5" in other.spec


def test_unknown_action_hint() -> None:
    finding = rules.unknown_action("heartbeat", {"Heartbeat", "Reset"}, sender="charge point")
    assert finding.rule == "ocppj.unknown-action"
    assert "did you mean 'Heartbeat'" in finding.message
    plain = rules.unknown_action("Frobnicate", {"Heartbeat"}, sender="CSMS")
    assert "did you mean" not in plain.message
    assert plain.message.startswith("the CSMS sent a CALL with action 'Frobnicate'")


# -- CALLERROR -------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [c.value for c in ErrorCode])
def test_every_ocppj16_error_code_is_accepted(code: str) -> None:
    assert rules.error_code_hint(code) == ""
    assert rules.error_envelope(code, "", {}) == []


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("FormatViolation", "OCPP 2.0 error code; OCPP-J 1.6 spells it 'FormationViolation'"),
        ("OccurrenceConstraintViolation", "spells it 'OccurenceConstraintViolation'"),
        ("RpcFrameworkError", "'RpcFrameworkError' is an OCPP 2.0 error code"),
        ("notimplemented", "case-sensitive: 'NotImplemented'"),
        ("Oops", "'Oops' is not an OCPP-J 1.6 error code"),
        (3, "3 is not an OCPP-J 1.6 error code"),
    ],
)
def test_error_code_hints(code: object, hint: str) -> None:
    assert hint in rules.error_code_hint(code)


def test_error_envelope() -> None:
    found = rules.error_envelope("GenericError", 5, None)
    assert [f.rule for f in found] == ["ocppj.error-description", "ocppj.error-details"]
    assert found[1].message == "ErrorDetails must be a JSON object ({} if none), got null"


def test_error_code_for_unknown_action() -> None:
    assert rules.error_code_for_unknown_action("X", "NotImplemented", sender="CSMS") is None
    finding = rules.error_code_for_unknown_action("X", "GenericError", sender="CSMS")
    assert finding is not None and finding.rule == "ocppj.error-code-for-unknown-action"


# -- JSON text -------------------------------------------------------------------------------------


def test_duplicate_keys() -> None:
    (finding,) = rules.json_text('[2,"1","Authorize",{"idTag":"A","idTag":"B","x":{"k":1,"k":2}}]')
    assert finding.rule == "json.duplicate-key"
    assert finding.severity is Severity.WARNING
    assert "keys 'k', 'idTag'" in finding.message  # inner objects close first
    assert finding.spec == "RFC 8259 §4"


def test_many_duplicate_keys_are_summarised() -> None:
    body = ",".join(f'"k{i}":1,"k{i}":2' for i in range(8))
    (finding,) = rules.json_text("{" + body + "}")
    assert "and 3 more" in finding.message


@pytest.mark.parametrize(
    ("text", "lone"),
    [
        ('{"a":"\\ud83d\\ude00"}', False),  # a proper pair
        ('{"a":"\\\\ud800"}', False),  # an escaped backslash, then text
        ('{"a":"\\u00e9"}', False),
        ('{"a":"\\ud800"}', True),
        ('{"a":"x\\udc00y"}', True),
        ('{"\\ud800":1}', True),
        ('[3,"1",{"a":["\\ude00"]}]', True),
    ],
)
def test_lone_surrogates(text: str, lone: bool) -> None:
    assert [f.rule for f in rules.json_text(text)] == (["json.lone-surrogate"] if lone else [])


def test_json_text_ignores_what_is_not_json() -> None:
    assert rules.json_text("[2,") == []
    assert rules.json_text('[2,"1","X",{"a":NaN}]') == []
    assert rules.json_text('{"a":1}') == []


@pytest.mark.parametrize(
    "text",
    [
        '[3,"1",{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Accepted"}]',
        '[2,"1","MeterValues",{"connectorId":1,"meterValue":[{"sampledValue":[{"value":"1.5"}]}]}]',
        '[3,"1",{"a":1.25,"b":[1e3,-0.0],"c":{"d":null,"e":true}}]',
        '{"k":1,"k":2,"inner":{"k":3,"k":4}}',
        '["\\ud800","\\ud83d\\ude00"]',
    ],
)
def test_read_json_gives_the_value_the_frame_layer_decodes(text: str) -> None:
    found, value = rules.read_json(text)
    assert value == load_json(text)
    assert [type(v) for v in _leaves(value)] == [type(v) for v in _leaves(load_json(text))]
    assert found == rules.json_text(text)


def test_read_json_names_duplicates_and_marks_what_is_not_json() -> None:
    found, value = rules.read_json('{"a":1,"b":{"c":1,"c":2},"a":3}')
    assert value == {"a": 3, "b": {"c": 2}}
    assert [f.rule for f in found] == ["json.duplicate-key"]
    assert "keys 'c', 'a'" in found[0].message
    for junk in ("[2,", '[1,{"a":NaN}]', "\ufeff[]", "[" * 100_000):
        assert rules.read_json(junk) == ([], rules.NOT_JSON)


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]
