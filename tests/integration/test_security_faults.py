"""Every security case fails, with the finding that names the cause, against a reference CSMS
with a fault that breaks what the case checks (over the real security profiles: Basic auth,
TLS with the test PKI, client certificates) — and a case the fault does not concern still
passes. Against the good reference all fifteen pass without a finding, over SP1–SP3.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterable
from dataclasses import replace

import pytest
from conftest import RunAgainstReference, assert_fails_against_fault, run_against_reference_async
from security_support import session_pki

from octt.catalog.loader import load_catalog
from octt.catalog.model import Catalog
from octt.catalog.selection import select
from octt.config import RunConfig
from octt.engine.checks import CHECKS
from octt.pics.model import Profile, load_pics
from octt.reference.faults import SECURITY_FAULTS
from octt.resources import default_pics_path
from octt.result.model import RunResult, TlsOutcome, Verdict

SECURITY_CASES = [
    "TC_073_CSMS",
    "TC_074_CSMS",
    "TC_075_1_CSMS",
    "TC_075_2_CSMS",
    "TC_076_CSMS",
    "TC_077_CSMS",
    "TC_078_CSMS",
    "TC_079_CSMS",
    "TC_080_CSMS",
    "TC_081_CSMS",
    "TC_083_CSMS",
    "TC_085_CSMS",
    "TC_086_CSMS",
    "TC_087_CSMS",
    "TC_088_CSMS",
]

# (case, fault, rule of the expected error finding, a case the same fault must not break)
MATRIX: list[tuple[str, str, str, str]] = [
    (
        "TC_073_CSMS",
        "authorization-key-too-short",
        "expect.ChangeConfiguration.value",
        "TC_088_CSMS",
    ),
    ("TC_073_CSMS", "authorization-key-not-hex", "expect.ChangeConfiguration.value", "TC_088_CSMS"),
    ("TC_073_CSMS", "authorization-key-not-stored", "transport.connect", "TC_075_1_CSMS"),
    (
        "TC_074_CSMS",
        "certificate-signed-wrong-key",
        "security.certificate-signed.public-key",
        "TC_075_1_CSMS",
    ),
    ("TC_074_CSMS", "certificate-signed-not-pem", "security.certificate-signed.pem", "TC_087_CSMS"),
    ("TC_074_CSMS", "sign-certificate-rejected", "expect.SignCertificate.status", "TC_087_CSMS"),
    (
        "TC_074_CSMS",
        "extended-trigger-message-with-connector",
        "expect.ExtendedTriggerMessage.connectorId",
        "TC_087_CSMS",
    ),
    (
        "TC_077_CSMS",
        "extended-trigger-message-wrong-message",
        "expect.ExtendedTriggerMessage.requestedMessage",
        "TC_087_CSMS",
    ),
    ("TC_077_CSMS", "security-event-callerror", "response.callerror", "TC_079_CSMS"),
    (
        "TC_077_CSMS",
        "certificate-signed-wrong-cn",
        "security.certificate-signed.common-name",
        "TC_087_CSMS",
    ),
    (
        "TC_075_1_CSMS",
        "install-certificate-wrong-type",
        "expect.InstallCertificate.certificateType",
        "TC_079_CSMS",
    ),
    (
        "TC_075_2_CSMS",
        "get-installed-certificate-ids-wrong-type",
        "expect.GetInstalledCertificateIds.certificateType",
        "TC_079_CSMS",
    ),
    (
        "TC_076_CSMS",
        "delete-certificate-spki-key-hash",
        "security.certificate-hash-data.issuerKeyHash",
        "TC_075_2_CSMS",
    ),
    (
        "TC_076_CSMS",
        "delete-certificate-padded-serial",
        "security.certificate-hash-data.serialNumber",
        "TC_075_2_CSMS",
    ),
    (
        "TC_076_CSMS",
        "delete-certificate-sha256-only",
        "expect.DeleteCertificate.certificateHashData.hashAlgorithm",
        "TC_075_2_CSMS",
    ),
    ("TC_078_CSMS", "security-event-callerror", "response.callerror", "TC_079_CSMS"),
    (
        "TC_078_CSMS",
        "install-certificate-wrong-type",
        "expect.InstallCertificate.certificateType",
        "TC_079_CSMS",
    ),
    ("TC_079_CSMS", "get-log-wrong-type", "expect.GetLog.logType", "TC_078_CSMS"),
    ("TC_079_CSMS", "log-status-callerror", "response.callerror", "TC_078_CSMS"),
    (
        "TC_080_CSMS",
        "signed-update-firmware-wrong-signature",
        "expect.SignedUpdateFirmware.firmware.signature",
        "TC_079_CSMS",
    ),
    ("TC_081_CSMS", "signed-firmware-status-callerror", "response.callerror", "TC_080_CSMS"),
    ("TC_083_CSMS", "accepts-lower-security-profile", "transport.not-refused", "TC_085_CSMS"),
    ("TC_085_CSMS", "accepts-missing-credentials", "transport.not-refused", "TC_086_CSMS"),
    ("TC_086_CSMS", "tls-missing-cipher-suites", "tls.cipher-suite", "TC_085_CSMS"),
    ("TC_086_CSMS", "server-certificate-wrong-cn", "tls.server-common-name", "TC_085_CSMS"),
    ("TC_086_CSMS", "server-certificate-wrong-host", "transport.tls", "TC_085_CSMS"),
    ("TC_086_CSMS", "server-certificate-untrusted", "transport.tls", "TC_085_CSMS"),
    ("TC_087_CSMS", "tls-missing-cipher-suites", "tls.cipher-suite", "TC_085_CSMS"),
    ("TC_088_CSMS", "accepts-any-subprotocol", "transport.not-refused", "TC_085_CSMS"),
]

# Checks no edition lists (case, fault, rule of the advisory): the case passes with the
# advisory, and fails with it when the run promotes advisories (--advisories-fail).
ADVISORIES: list[tuple[str, str, str]] = [
    ("TC_086_CSMS", "tls-allows-legacy-versions", "tls.version"),
    ("TC_087_CSMS", "tls-allows-legacy-versions", "tls.version"),
    ("TC_087_CSMS", "accepts-expired-client-certificate", "transport.not-refused"),
]

#: How long a case waits for a CALL the faulty CSMS never sends.
OPERATOR_TIMEOUT_S = 1.0


@functools.cache
def _catalog() -> Catalog:
    return load_catalog(known_checks=frozenset(CHECKS))


def _config() -> RunConfig:
    return RunConfig(
        operator_timeout_s=OPERATOR_TIMEOUT_S,
        real_transfers=True,
        pki_dir=session_pki().directory,
    )


def run(case_ids: Iterable[str], faults: Iterable[str] = ()) -> RunResult:
    return asyncio.run(run_against_reference_async(case_ids, faults, config=_config()))


def test_the_matrix_covers_every_security_case_and_fault() -> None:
    security = {c.id for c in _catalog().cases if c.profile is Profile.SECURITY}
    assert security == set(SECURITY_CASES) == {row[0] for row in MATRIX}
    faults = {row[1] for row in MATRIX} | {row[1] for row in ADVISORIES}
    assert faults == {fault.value for fault in SECURITY_FAULTS}


@pytest.mark.parametrize(("case_id", "fault", "rule", "control"), MATRIX)
def test_case_fails_against_fault(
    run_against_reference: RunAgainstReference, case_id: str, fault: str, rule: str, control: str
) -> None:
    assert_fails_against_fault(run_against_reference, case_id, fault, rule, control, _config())


@pytest.mark.parametrize(("case_id", "fault", "rule"), ADVISORIES)
def test_a_check_no_edition_lists_is_an_advisory_unless_promoted(
    case_id: str, fault: str, rule: str
) -> None:
    result = run([case_id], [fault])
    [case] = result.cases
    assert case.verdict is Verdict.PASS, case.reason
    assert not case.errors
    assert [f.rule for f in case.advisories] == [rule]
    assert [c for c, _ in result.advisories] == [case_id]
    assert "whitepaper" in case.advisories[0].spec
    promoted = asyncio.run(
        run_against_reference_async(
            [case_id], [fault], config=replace(_config(), advisories_fail=True)
        )
    )
    [failed] = promoted.cases
    assert failed.verdict is Verdict.FAIL
    assert rule in {f.rule for f in failed.errors}


def test_all_security_cases_pass_over_every_profile_without_findings() -> None:
    result = run(SECURITY_CASES)
    assert [(c.id, c.reason) for c in result.cases if c.verdict is not Verdict.PASS] == []
    assert [(c.id, f.rule) for c in result.cases for f in c.findings] == []
    profiles = {c.id: c.security_profile for c in result.cases}
    assert profiles["TC_073_CSMS"] == 1 and profiles["TC_086_CSMS"] == 2
    assert profiles["TC_087_CSMS"] == 3 and profiles["TC_083_CSMS"] == 1
    tls86 = {r.purpose: r for r in next(c for c in result.cases if c.id == "TC_086_CSMS").tls}
    suites = [p for p in tls86 if p.startswith("cipher suite")]
    assert len(suites) == 4 and all(tls86[p].outcome is TlsOutcome.ESTABLISHED for p in suites)
    assert tls86["TLS 1.0/1.1 (must be refused)"].outcome is TlsOutcome.FAILED
    upgrade = next(c for c in result.cases if c.id == "TC_083_CSMS")
    paths = " ".join(step.path for step in upgrade.steps)
    assert "certificate_installed" in paths and "renew_charge_point_certificate" not in paths
    transfers = {c.id: [t.outcome.value for t in c.transfers] for c in result.cases}
    assert transfers["TC_079_CSMS"] == ["transferred"]
    assert transfers["TC_080_CSMS"] == ["transferred"]


def test_untrusted_and_wrong_host_certificates_are_refused_with_the_reason() -> None:
    for fault, words in (
        ("server-certificate-untrusted", "does not verify against the configured CSMS root CA"),
        ("server-certificate-wrong-host", "is not for 127.0.0.1"),
    ):
        result = run(["TC_086_CSMS"], [fault])
        [case] = result.cases
        assert case.verdict is Verdict.FAIL
        assert words in case.reason, case.reason
        assert [r.outcome for r in case.tls] == [TlsOutcome.FAILED]


def test_no_security_profile_claimed_makes_the_security_cases_not_applicable() -> None:
    pics = load_pics(default_pics_path())
    raw = {**pics.raw, "security": {"profiles": []}}
    plan = select(_catalog(), replace(pics, security_profiles=frozenset(), raw=raw))
    security = [e for e in plan.entries if e.case.profile is Profile.SECURITY]
    assert len(security) == 15 and not any(e.applicable for e in security)
