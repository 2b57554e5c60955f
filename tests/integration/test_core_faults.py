"""Every Core case fails, with the finding that names the cause, against a reference CSMS with
a fault that breaks what the case checks — and a case the fault does not concern still passes.
"""

from __future__ import annotations

import pytest
from conftest import RunAgainstReference, assert_fails_against_fault

from octt.config import RunConfig
from octt.findings import Severity
from octt.result.model import Verdict

# (case, fault, rule of the expected error finding, a case the same fault must not break —
# empty for faults that break every case, such as a rejected boot)
MATRIX: list[tuple[str, str, str, str]] = [
    ("TC_001_CSMS", "heartbeat-bad-time", "schema.response", "TC_003_CSMS"),
    ("TC_001_CSMS", "boot-rejected", "expect.BootNotification.status", ""),
    ("TC_003_CSMS", "authorize-rejects-valid", "expect.Authorize.idTagInfo.status", "TC_007_CSMS"),
    (
        "TC_004_1_CSMS",
        "start-transaction-rejected",
        "expect.StartTransaction.idTagInfo.status",
        "TC_023_1_CSMS",
    ),
    (
        "TC_004_2_CSMS",
        "authorize-rejects-valid",
        "expect.Authorize.idTagInfo.status",
        "TC_007_CSMS",
    ),
    ("TC_005_1_CSMS", "stop-transaction-extra-field", "schema.response", "TC_003_CSMS"),
    (
        "TC_007_CSMS",
        "start-requires-authorize",
        "expect.StartTransaction.idTagInfo.status",
        "TC_003_CSMS",
    ),
    ("TC_061_CSMS", "clear-cache-extra-field", "schema.request", "TC_021_CSMS"),
    ("TC_061_CSMS", "drop-triggered-calls", "expect.call-timeout", "TC_003_CSMS"),
    ("TC_010_CSMS", "authorize-rejects-valid", "expect.Authorize.idTagInfo.status", "TC_007_CSMS"),
    ("TC_010_CSMS", "remote-start-missing-idtag", "schema.request", "TC_003_CSMS"),
    ("TC_011_1_CSMS", "remote-start-missing-idtag", "schema.request", "TC_003_CSMS"),
    (
        "TC_011_2_CSMS",
        "authorize-rejects-valid",
        "expect.Authorize.idTagInfo.status",
        "TC_007_CSMS",
    ),
    (
        "TC_012_CSMS",
        "remote-stop-wrong-transaction",
        "expect.RemoteStopTransaction.transactionId",
        "TC_028_CSMS",
    ),
    ("TC_013_CSMS", "reset-wrong-type", "expect.Reset.type", "TC_001_CSMS"),
    ("TC_014_CSMS", "reset-wrong-type", "expect.Reset.type", "TC_001_CSMS"),
    ("TC_017_1_CSMS", "unlock-string-connector", "schema.request", "TC_061_CSMS"),
    ("TC_017_2_CSMS", "unlock-string-connector", "schema.request", "TC_061_CSMS"),
    ("TC_018_1_CSMS", "unlock-string-connector", "schema.request", "TC_061_CSMS"),
    ("TC_019_1_CSMS", "get-configuration-wrong-keys", "expect.GetConfiguration.key", "TC_021_CSMS"),
    ("TC_019_2_CSMS", "get-configuration-wrong-keys", "expect.GetConfiguration.key", "TC_021_CSMS"),
    (
        "TC_021_CSMS",
        "change-configuration-wrong-value",
        "expect.ChangeConfiguration.value",
        "TC_040_1_CSMS",
    ),
    (
        "TC_023_1_CSMS",
        "authorize-accepts-unknown",
        "expect.Authorize.idTagInfo.status",
        "TC_003_CSMS",
    ),
    ("TC_023_2_CSMS", "ignore-tag-status", "expect.Authorize.idTagInfo.status", "TC_023_1_CSMS"),
    ("TC_023_3_CSMS", "ignore-tag-status", "expect.Authorize.idTagInfo.status", "TC_023_1_CSMS"),
    ("TC_024_CSMS", "status-notification-callerror", "response.callerror", "TC_003_CSMS"),
    ("TC_026_CSMS", "remote-start-missing-idtag", "schema.request", "TC_003_CSMS"),
    ("TC_028_CSMS", "remote-stop-string-id", "schema.request", "TC_003_CSMS"),
    ("TC_030_CSMS", "unlock-string-connector", "schema.request", "TC_061_CSMS"),
    ("TC_031_CSMS", "unlock-string-connector", "schema.request", "TC_061_CSMS"),
    ("TC_032_1_CSMS", "boot-rejected", "expect.BootNotification.status", ""),
    (
        "TC_037_1_CSMS",
        "reject-past-timestamps",
        "expect.StartTransaction.idTagInfo.status",
        "TC_003_CSMS",
    ),
    (
        "TC_037_3_CSMS",
        "authorize-accepts-unknown",
        "expect.StartTransaction.idTagInfo.status",
        "TC_003_CSMS",
    ),
    (
        "TC_039_CSMS",
        "reject-past-timestamps",
        "expect.StartTransaction.idTagInfo.status",
        "TC_003_CSMS",
    ),
    ("TC_040_1_CSMS", "drop-triggered-calls", "expect.call-timeout", "TC_003_CSMS"),
    ("TC_040_2_CSMS", "change-configuration-numeric-value", "schema.request", "TC_040_1_CSMS"),
    (
        "TC_040_2_CSMS",
        "change-configuration-wrong-value",
        "expect.ChangeConfiguration.value",
        "TC_040_1_CSMS",
    ),
    ("TC_064_CSMS", "data-transfer-callerror", "response.callerror", "TC_003_CSMS"),
]


def test_matrix_covers_every_core_case() -> None:
    from octt.catalog.loader import load_catalog

    core = {c.id for c in load_catalog().cases if c.profile.value == "core"}
    assert core == {row[0] for row in MATRIX}


@pytest.mark.parametrize(("case_id", "fault", "rule", "control"), MATRIX)
def test_case_fails_against_fault(
    run_against_reference: RunAgainstReference, case_id: str, fault: str, rule: str, control: str
) -> None:
    config = RunConfig(operator_timeout_s=1.5)
    assert_fails_against_fault(run_against_reference, case_id, fault, rule, control, config)


def test_all_core_cases_pass_against_the_good_reference(
    run_against_reference: RunAgainstReference,
) -> None:
    result = run_against_reference([row[0] for row in MATRIX])
    assert [c.id for c in result.cases if c.verdict is not Verdict.PASS] == []
    assert result.verdict is Verdict.PASS
    assert not [f for c in result.cases for f in c.findings], "a good CSMS gives no findings"


def test_accepted_data_transfer_is_tolerated_with_a_warning(
    run_against_reference: RunAgainstReference,
) -> None:
    result = run_against_reference(["TC_064_CSMS"], ["data-transfer-accepted"])
    case = result.cases[0]
    assert case.verdict is Verdict.PASS
    assert [f.rule for f in case.findings] == ["expect.DataTransfer.status"]
    assert case.findings[0].severity is Severity.WARNING
