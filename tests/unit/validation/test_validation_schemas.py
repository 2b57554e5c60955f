"""SchemaSet: loading, manifest, errata overlay, and the schema test corpus."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import time
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from octt.ocppj.frames import load_json
from octt.validation import actions
from octt.validation.schemas import (
    MAX_VIOLATIONS,
    SchemaLoadError,
    SchemaSet,
    SchemaViolation,
    is_multiple_of,
    show,
)


def _load_corpus() -> ModuleType:
    # Loaded by path under a unique name: test folders are not packages, and a bare
    # `import corpus` could pick up another folder's module of the same name.
    name = "octt_unit_validation_corpus"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("corpus.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


corpus = _load_corpus()

BOOT_CONF = {"status": "Accepted", "currentTime": "2026-01-01T10:00:00Z", "interval": 300}
STOP_HERTZ = load_json(corpus.by_name("stop-transaction-req-hertz-erratum").text)


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    return SchemaSet.load()


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> SchemaSet:
    """The ocpp package's schemas without any overlay."""
    return SchemaSet.load(tmp_path_factory.mktemp("no-errata"))


def _errors(schemas: SchemaSet, sample: Any) -> list[SchemaViolation]:
    if sample.kind == "req":
        return schemas.request_errors(sample.action, sample.payload)
    return schemas.response_errors(sample.action, sample.payload)


# -- the corpus ------------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", corpus.CORPUS, ids=lambda s: s.name)
def test_corpus(schemas: SchemaSet, sample: Any) -> None:
    found = _errors(schemas, sample)
    assert sorted((v.path, v.keyword) for v in found) == sorted(sample.errors), found
    assert all(v.message for v in found)


def test_corpus_names_are_unique() -> None:
    names = [s.name for s in corpus.CORPUS]
    assert len(names) == len(set(names))


def test_corpus_covers_every_keyword_the_brief_names() -> None:
    keywords = {kw for s in corpus.INVALID for _, kw in s.errors}
    assert {
        "type",
        "required",
        "additionalProperties",
        "enum",
        "format",
        "maxLength",
        "multipleOf",
        "minItems",
    } <= keywords


def test_corpus_frame_text_parses_back() -> None:
    from octt.ocppj.frames import Call, CallResult, parse

    req = corpus.by_name("start-transaction-req")
    conf = corpus.by_name("boot-notification-conf")
    call = parse(req.frame_text("u-1"))
    result = parse(conf.frame_text("u-2"))
    assert isinstance(call, Call) and call.action == "StartTransaction"
    assert isinstance(result, CallResult) and result.payload == conf.payload


# -- messages ------------------------------------------------------------------------------------


def test_messages_read_well(schemas: SchemaSet) -> None:
    errors = schemas.response_errors("Authorize", {"idTagInfo": {"status": "Acepted"}})
    assert errors == [
        SchemaViolation(
            "/idTagInfo/status",
            "'Acepted' is not one of Accepted, Blocked, Expired, Invalid, ConcurrentTx",
            "enum",
        )
    ]
    (interval,) = schemas.response_errors("BootNotification", {**BOOT_CONF, "interval": "300"})
    assert interval.message == "'300' is not of type 'integer'"
    (decimal,) = schemas.response_errors(
        "BootNotification", {**BOOT_CONF, "interval": Decimal("300.0")}
    )
    assert decimal.message == "300.0 is not of type 'integer'"
    (boolean,) = schemas.response_errors("BootNotification", {**BOOT_CONF, "interval": True})
    assert boolean.message == "true is not of type 'integer'"
    (long,) = schemas.request_errors("Authorize", {"idTag": "A" * 21})
    assert long.message == f"'{'A' * 21}' is too long: 21 characters, at most 20"
    (missing,) = schemas.response_errors("Authorize", {"idTagInfo": {}})
    assert missing.message == "required property 'status' is missing"
    (extra,) = schemas.response_errors("BootNotification", {**BOOT_CONF, "a/b": 1})
    assert (extra.path, extra.message) == ("/a~1b", "property 'a/b' is not allowed")
    (fmt,) = schemas.response_errors("BootNotification", {**BOOT_CONF, "currentTime": "now"})
    assert fmt.message == "'now' is not an RFC 3339 date-time"


def test_show_renders_json_values() -> None:
    assert show(True) == "true"
    assert show(None) == "null"
    assert show(Decimal("1E+2")) == "1E+2"
    assert show("x" * 100).endswith("...'") and len(show("x" * 100)) == 48
    assert show({"a": [1, 2]}) == '{"a":[1,2]}'


def test_violations_are_capped(schemas: SchemaSet) -> None:
    payload = {"connectorId": 1, "meterValue": [{"timestamp": "bad", "sampledValue": []}] * 500}
    assert len(schemas.request_errors("MeterValues", payload)) == MAX_VIOLATIONS


def test_unknown_action_is_a_key_error(schemas: SchemaSet) -> None:
    with pytest.raises(KeyError, match="FooBar"):
        schemas.request_errors("FooBar", {})
    with pytest.raises(KeyError):
        schemas.response_errors("bootNotification", {})


def test_float_payloads_from_code_are_judged_as_on_the_wire(schemas: SchemaSet) -> None:
    # 0.3 is not a binary multiple of 0.1, but it is on the wire ("0.3").
    sample = corpus.by_name("charging-profile-limit-one-decimal")
    payload = json.loads(sample.text)  # floats, not Decimals
    payload["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"] = 0.3
    assert schemas.request_errors("SetChargingProfile", payload) == []


# -- exact multipleOf ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        (Decimal("12.3"), Decimal("0.1"), True),
        (Decimal("12.34"), Decimal("0.1"), False),
        (Decimal("12.30"), Decimal("0.1"), True),
        (Decimal("-6.1"), Decimal("0.1"), True),
        (Decimal("0"), Decimal("0.1"), True),
        (Decimal("-0.0"), Decimal("0.1"), True),
        (16, Decimal("0.1"), True),
        (Decimal("1E+2"), Decimal("0.1"), True),
        (Decimal("1E-1"), Decimal("0.1"), True),
        (Decimal("1E-2"), Decimal("0.1"), False),
        (Decimal("7.5"), Decimal("2.5"), True),
        (Decimal("7.4"), Decimal("2.5"), False),
        (10, 3, False),
        (9, 3, True),
        (0.3, Decimal("0.1"), True),
        (0.35, 0.1, False),
        (Decimal("1E+999999999"), Decimal("0.1"), True),
        (Decimal("1E-999999999"), Decimal("0.1"), False),
        (Decimal("1.5"), 0, False),
    ],
)
def test_is_multiple_of(value: Any, step: Any, expected: bool) -> None:
    assert is_multiple_of(value, step) is expected


def test_huge_exponents_cost_nothing(schemas: SchemaSet) -> None:
    sample = corpus.by_name("charging-profile-limit-integer")
    started = time.perf_counter()
    for text in ("1E+999999999", "1E-999999999", "9" * 4000 + ".1"):
        payload = load_json(sample.text.replace('"limit":16', f'"limit":{text}'))
        schemas.request_errors("SetChargingProfile", payload)
    assert time.perf_counter() - started < 0.5


# -- the set as a whole ----------------------------------------------------------------------------


def test_every_ocpp16_action_has_request_and_response(schemas: SchemaSet) -> None:
    assert schemas.actions() == actions.ALL_ACTIONS
    assert len(schemas.actions()) == 39
    for action in schemas.actions():
        assert schemas.schema_file(action) == f"{action}.json"
        assert schemas.schema_file(action, response=True) == f"{action}Response.json"
        assert schemas.has_action(action)
    assert not schemas.has_action("bootnotification")


def test_manifest_and_fingerprint(schemas: SchemaSet, bare: SchemaSet) -> None:
    package_files = [n for n in schemas.manifest if "/" not in n]
    assert len(package_files) == 78
    assert "ocpp16-errata/StopTransaction-unit-Hertz.json" in schemas.manifest
    assert all(len(h) == 64 for h in schemas.manifest.values())
    expected = hashlib.sha256(schemas.manifest_text().encode()).hexdigest()
    assert schemas.sha256 == expected
    assert schemas.manifest_text().splitlines()[0].endswith("  Authorize.json")
    assert bare.sha256 != schemas.sha256
    assert set(bare.manifest) == set(package_files)
    assert schemas.source.startswith("ocpp 2.1.0: ocpp/v16/schemas (+ octt errata overlay")
    assert bare.source == "ocpp 2.1.0: ocpp/v16/schemas"


def test_load_is_cached_per_overlay_folder(schemas: SchemaSet, bare: SchemaSet) -> None:
    assert SchemaSet.load() is schemas
    assert bare != schemas
    assert len({schemas, SchemaSet.load()}) == 1


def test_shipped_erratum_allows_hertz_in_stop_transaction(
    schemas: SchemaSet, bare: SchemaSet
) -> None:
    assert schemas.request_errors("StopTransaction", STOP_HERTZ) == []
    (violation,) = bare.request_errors("StopTransaction", STOP_HERTZ)
    assert violation.keyword == "enum"
    assert [e.schema for e in schemas.errata] == ["StopTransaction.json"]
    assert "StopTransaction-unit-Hertz.json" in schemas.spec_reference("StopTransaction")
    assert schemas.spec_reference("StopTransaction", response=True) == (
        "OCPP 1.6 JSON schema StopTransactionResponse.json"
    )


def test_date_time_values_follow_the_schema(schemas: SchemaSet) -> None:
    assert schemas.date_time_values("StopTransaction", STOP_HERTZ) == [
        ("/timestamp", "2026-01-01T10:00:00.000Z"),
        ("/transactionData/0/timestamp", "2026-01-01T10:00:00.000Z"),
    ]
    signed = corpus.by_name("signed-update-firmware-req").payload  # date-time behind a $ref
    assert [p for p, _ in schemas.date_time_values("SignedUpdateFirmware", signed)] == [
        "/firmware/retrieveDateTime"
    ]
    assert schemas.date_time_values("BootNotification", {"currentTime": 5}, response=True) == []


# -- the overlay mechanism -------------------------------------------------------------------------


def _overlay(folder: Path, name: str, body: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(body), encoding="utf-8")
    return folder


def _erratum(patch: list[dict[str, Any]], schema: str = "ResetResponse.json") -> dict[str, Any]:
    return {"schema": schema, "title": "test", "reference": "a test", "patch": patch}


def test_overlay_patches_change_validation_and_manifest(tmp_path: Path) -> None:
    folder = _overlay(
        tmp_path / "errata",
        "reset.json",
        _erratum(
            [
                {"op": "test", "path": "/properties/status/enum/1", "value": "Rejected"},
                {"op": "add", "path": "/properties/status/enum/-", "value": "Scheduled"},
                {"op": "replace", "path": "/title", "value": "patched"},
                {"op": "remove", "path": "/properties/status/additionalProperties"},
            ]
        ),
    )
    (folder / "README.md").write_text("not an overlay", encoding="utf-8")
    patched = SchemaSet.load(folder)
    assert patched.response_errors("Reset", {"status": "Scheduled"}) == []
    assert "errata/reset.json" in patched.manifest
    assert "errata/README.md" not in patched.manifest
    data = (folder / "reset.json").read_bytes()
    assert patched.manifest["errata/reset.json"] == hashlib.sha256(data).hexdigest()
    assert patched.errata[0].file == "errata/reset.json"
    assert patched.spec_reference("Reset", response=True).endswith(
        "(with octt erratum errata/reset.json)"
    )
    assert patched.source.endswith("(+ octt errata overlay: 1 file)")


def test_overlay_edit_changes_the_fingerprint(tmp_path: Path) -> None:
    add = {"op": "add", "path": "/properties/status/enum/-", "value": "X"}
    one = SchemaSet.load(_overlay(tmp_path / "a", "e.json", _erratum([add])))
    add_y = {**add, "value": "Y"}
    two = SchemaSet.load(_overlay(tmp_path / "b", "e.json", _erratum([add, add_y])))
    assert one.sha256 != two.sha256


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            _erratum([{"op": "test", "path": "/properties/status/enum/0", "value": "Nope"}]),
            "test at '/properties/status/enum/0' failed",
        ),
        (_erratum([{"op": "test", "path": "/type", "value": True}]), "failed"),
        (_erratum([], schema="Nope.json"), "which the ocpp package lacks"),
        (_erratum([{"op": "move", "path": "/a", "from": "/b"}]), "unsupported op 'move'"),
        (_erratum([{"op": "add", "path": "x", "value": 1}]), "not a JSON pointer"),
        (_erratum([{"op": "add", "path": "/a/b", "value": 1}]), "no member 'a'"),
        (_erratum([{"op": "remove", "path": "/nope"}]), "no member 'nope' to remove"),
        (_erratum([{"op": "add", "path": "/required/9", "value": "x"}]), "out of range"),
        (_erratum([{"op": "add", "path": "/required/01", "value": "x"}]), "not an array index"),
        (_erratum([{"op": "add", "path": "/type"}]), "needs a 'value'"),
        (_erratum([{"op": "replace", "path": "/type", "value": "int"}]), "not a valid schema"),
        (_erratum({"op": "add"}), "must be an array"),  # type: ignore[arg-type]
        ({"schema": "ResetResponse.json", "patch": []}, "missing keys ['title', 'reference']"),
        ({**_erratum([]), "extra": 1}, "unknown keys ['extra']"),
        ([], "an overlay file is a JSON object"),
    ],
)
def test_overlay_errors_are_load_errors(tmp_path: Path, body: object, message: str) -> None:
    folder = _overlay(tmp_path / "errata", "bad.json", body)
    with pytest.raises(SchemaLoadError, match=message.replace("[", r"\[").replace("(", r"\(")):
        SchemaSet.load(folder)


def test_overlay_that_is_not_json(tmp_path: Path) -> None:
    folder = tmp_path / "errata"
    folder.mkdir()
    (folder / "bad.json").write_text("{nope", encoding="utf-8")
    with pytest.raises(SchemaLoadError, match="not valid JSON"):
        SchemaSet.load(folder)


def test_missing_overlay_folder_means_no_overlay(tmp_path: Path, bare: SchemaSet) -> None:
    assert SchemaSet.load(tmp_path / "does-not-exist") == bare
