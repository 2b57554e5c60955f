"""The certificate's content: standing and honest wording, the functionality summary (N/A for
profiles not claimed or not run), security rows from the PICS and the security cases, the
additional questions, performance rows, configuration, signatories and the signing key."""

from __future__ import annotations

import dataclasses
from dataclasses import replace

from report_samples import (
    CASES,
    LAB,
    PICS,
    SCHEMA_SHA,
    failing_result,
    passing_result,
    robustness_cases,
)

from octt.config import LabInfo
from octt.report.certificate import (
    DISCLAIMER,
    FUNCTIONALITIES,
    REFERENCE_SPECIFICATION,
    SECURITY_SPECIFICATION,
    Certificate,
    DigitalSignature,
    Field,
    Outcome,
    Standing,
    build_certificate,
)
from octt.result.coverage import OutsideCase, RunScope
from octt.result.model import CaseResult, LimitVerdict, RunResult, Verdict
from octt.result.scope import assess


def run_standing(result: RunResult) -> tuple[Standing, tuple[str, ...]]:
    scope = assess(result)
    return scope.standing, scope.reasons


def field(fields: tuple[Field, ...], label: str) -> Field:
    return next(f for f in fields if f.label == label)


def functionality(c: Certificate, name: str) -> tuple[Outcome, str]:
    row = next(r for r in c.functionalities if r.name == name)
    return row.outcome, row.detail


def test_a_passed_run_is_a_certificate() -> None:
    c = build_certificate(passing_result())
    assert c.standing is Standing.PASSED and c.passed
    assert c.title == "Certificate of Conformance"
    assert c.banner == "" and c.reasons == ()
    assert field(c.header, "Certificate number").value == "OCA.0016.0099.CSMS"
    assert field(c.header, "Certification date").value == "2026-03-01"
    assert field(c.header, "Reference specification").value == REFERENCE_SPECIFICATION
    assert field(c.header, "Security specification").value == SECURITY_SPECIFICATION
    assert field(c.header, "Scope of this certificate").value == (
        "OCPP 1.6: Core, Smart Charging + Security extension (SEC-2, SEC-3)"
    )
    assert c.document_reference == "OCA.0016.0099.CSMS"
    assert "passed every applicable test case" in c.approval


def test_a_failed_run_says_not_passed_and_why() -> None:
    c = build_certificate(failing_result())
    assert c.standing is Standing.NOT_PASSED and not c.passed
    assert c.title == "Test Summary — Not Passed"
    assert c.banner == "NOT PASSED — this document is not a certificate"
    assert c.reasons == (
        "2 case(s) failed: TC_003_CSMS, TC_074_CSMS.",
        "1 case(s) could not be completed (tool or trigger error): TC_010_CSMS.",
        "1 case(s) were skipped: TC_013_CSMS.",
        "Response time Authorize exceeded the PICS limit of 0.1 s (maximum 0.2500 s).",
    )
    assert field(c.header, "Certificate number").value.startswith("none")
    assert field(c.header, "Date of test").value == "2026-03-01"
    assert c.document_reference == "ETL-2026-7"  # never the certificate number
    assert "did NOT pass" in c.approval
    assert "Certificate of Conformance" not in (c.title + c.subtitle + c.banner)


def test_a_performance_limit_alone_denies_the_certificate() -> None:
    result = passing_result()
    authorize = replace(result.performance.authorize, limit_s=0.1, verdict=LimitVerdict.FAIL)
    slow = replace(result, performance=replace(result.performance, authorize=authorize))
    assert slow.verdict is Verdict.PASS  # every case passed
    standing, reasons = run_standing(slow)
    assert standing is Standing.NOT_PASSED
    assert reasons == (
        "Response time Authorize exceeded the PICS limit of 0.1 s (maximum 0.2500 s).",
    )


def test_an_interrupted_run_is_incomplete() -> None:
    result = replace(passing_result(), interrupted=True, verdict=Verdict.FAIL)
    c = build_certificate(result)
    assert c.standing is Standing.INCOMPLETE
    assert c.banner == "INCOMPLETE RUN — this document is not a certificate"
    assert c.reasons[0].startswith("The run was interrupted")
    assert functionality(c, "Core")[0] is Outcome.INCOMPLETE
    assert functionality(c, "Reservation")[0] is Outcome.NOT_APPLICABLE


def test_no_passed_case_is_no_certificate() -> None:
    only_na = (CaseResult("TC_064_CSMS", "x", "core", Verdict.NOT_APPLICABLE),)
    standing, reasons = run_standing(failing_result(only_na))
    assert standing is Standing.NOT_PASSED
    assert "No applicable test case passed." in reasons


def test_functionality_rows_in_certificate_order() -> None:
    c = build_certificate(failing_result())
    assert [r.name for r in c.functionalities] == [p.display_name for p, _ in FUNCTIONALITIES]
    assert functionality(c, "Core") == (
        Outcome.FAIL,
        "1 of 4 case(s) passed, 1 failed, 1 error, 1 skipped, 1 not applicable",
    )
    assert functionality(c, "Smart Charging") == (Outcome.PASS, "1 of 1 case(s) passed")
    # claimed in the PICS but absent from result.json (not selected): not tested, and says so
    assert functionality(c, "Firmware Management") == (
        Outcome.NOT_TESTED,
        "claimed in the PICS; not in this run's selection",
    )
    assert functionality(c, "Reservation") == (
        Outcome.NOT_APPLICABLE,
        "PICS profiles.reservation is not claimed",
    )
    assert all(r.description for r in c.functionalities)


def test_security_rows_follow_the_pics_and_the_security_cases() -> None:
    rows = {r.id: r for r in build_certificate(failing_result()).security}
    assert (rows["SEC-1"].supported, rows["SEC-1"].outcome) == ("No", Outcome.NOT_APPLICABLE)
    # SEC-2: TC_073 (profile 1/2) and TC_079 (any profile) passed
    assert (rows["SEC-2"].supported, rows["SEC-2"].outcome) == ("Yes", Outcome.PASS)
    assert rows["SEC-2"].detail == "2 of 2 case(s) passed"
    # SEC-3: TC_074 (client certificates) failed
    assert (rows["SEC-3"].supported, rows["SEC-3"].outcome) == ("Yes", Outcome.FAIL)
    assert rows["SEC-3"].item.startswith("Security Profile 3: TLS")


def test_supported_security_without_security_cases_is_na() -> None:
    core_only = tuple(c for c in CASES if c.profile == "core")
    rows = build_certificate(failing_result(core_only)).security
    assert [(r.supported, r.outcome, r.detail) for r in rows] == [
        ("No", Outcome.NOT_APPLICABLE, "not supported (PICS security.profiles has no 1)"),
        ("Yes", Outcome.NOT_APPLICABLE, "supported; no applicable case ran on it"),
        ("Yes", Outcome.NOT_APPLICABLE, "supported; no applicable case ran on it"),
    ]


def test_security_note_when_neither_profile_2_nor_3_is_claimed() -> None:
    pics = {**PICS, "security": {"profiles": [1]}}
    c = build_certificate(replace(failing_result(), pics=pics))
    assert c.security_note.endswith("The PICS claims neither.")


def test_additional_questions() -> None:
    c = build_certificate(failing_result())
    assert [(q.id, q.answer) for q in c.questions] == [("AQ-1", "Yes"), ("AQ-7", "No")]
    assert "BootNotification with status Pending or Rejected" in c.questions[0].question
    bare = build_certificate(replace(failing_result(), pics={}))
    assert [(q.id, q.answer) for q in bare.questions] == [("AQ-1", "not declared")]


def test_performance_rows() -> None:
    response, authorize = build_certificate(failing_result()).performance
    assert response.name == "OCPP response time"
    assert (response.limit, response.count, response.outcome) == ("30", "3", Outcome.PASS)
    assert (response.minimum, response.maximum, response.unit) == ("0.0012", "0.2500", "s")
    assert authorize.name == "Response time Authorize"
    assert (authorize.limit, authorize.count, authorize.average) == ("0.1", "1", "0.2500")
    assert (authorize.p95, authorize.unanswered, authorize.outcome) == ("0.2500", "0", Outcome.FAIL)


def test_performance_without_data() -> None:
    na = (CaseResult("TC_064_CSMS", "x", "core", Verdict.NOT_APPLICABLE),)
    response, _ = build_certificate(failing_result(na)).performance
    assert (response.count, response.minimum, response.outcome) == ("0", "–", Outcome.NO_DATA)


def test_configuration() -> None:
    c = build_certificate(failing_result())
    assert field(c.configuration, "Test tool").value == "octt 0.1.0"
    assert field(c.configuration, "Schema set SHA-256") == Field(
        "Schema set SHA-256", SCHEMA_SHA, mono=True
    )
    tls = field(c.configuration, "TLS server certificate verification")
    assert tls.warn and tls.value.startswith("OFF")
    assert field(c.configuration, "Device supports sending milliseconds in timestamps").value == (
        "Yes"
    )
    assert field(c.configuration, "Time scale").value.startswith("0.001 (simulated waits ran 1000×")
    assert field(c.configuration, "Operator mode").value == "trigger API at http://127.0.0.1:9001"
    assert field(c.configuration, "Security profile used").value.startswith("2 (TLS")
    assert field(c.configuration, "Charge point identity").value == "CP-1"


def test_configuration_of_an_old_result_says_not_recorded() -> None:
    c = build_certificate(replace(failing_result(), settings={}, schemas={}, pics={}))
    for label in ("Time scale", "Operator mode", "Operator timeout", "Schema set SHA-256"):
        assert field(c.configuration, label).value == "not recorded"
    assert field(c.configuration, "Device supports sending milliseconds in timestamps").value == (
        "not declared"
    )


def test_configuration_states_a_background_load() -> None:
    assert all(
        f.label != "Background load" for f in build_certificate(passing_result()).configuration
    )
    load = {
        "stations": 500,
        "connected_before_cases": 500,
        "think_time_s": 10.0,
        "calls": 3000,
        "calls_per_s": 50.0,
        "latency_s": {"p50": 0.002, "p95": 0.004, "p99": 0.012, "max": 0.05},
    }
    settings = {**passing_result().settings, "background_load": load}
    c = build_certificate(replace(passing_result(), settings=settings))
    assert field(c.configuration, "Background load").value == (
        "500 stations (500 connected before the first case, think time 10.0 s): 3000 calls,"
        " 50.0/s; response time p50 2.00 ms, p95 4.00 ms, p99 12.0 ms, max 50.0 ms"
    )


def test_operator_modes_and_real_time() -> None:
    def mode(operator: str, scale: float) -> tuple[str, str]:
        settings = {**failing_result().settings, "operator": operator, "time_scale": scale}
        c = build_certificate(replace(failing_result(), settings=settings))
        return field(c.configuration, "Operator mode").value, field(
            c.configuration, "Time scale"
        ).value

    assert mode("prompt", 1) == (
        "prompt (a person at the CSMS's user interface)",
        "1 (simulated waits in real time)",
    )
    assert mode("none", 0.01)[0].startswith("none (cases that need the CSMS to act were skipped)")


def test_abstract_and_signatories() -> None:
    c = build_certificate(failing_result())
    assert field(c.abstract, "Test laboratory").value == "Example Test Lab"
    assert field(c.abstract, "Device under test").value == (
        "ExampleCSMS (Charging Station Management System)"
    )
    assert field(c.abstract, "Communication").value == "JSON (OCPP-J over WebSocket)"
    assert (c.vendor.name, c.vendor.company, c.vendor.position) == (
        "Vera Vendor",
        "Ünïcode Charging <GmbH> & Co",
        "Head of QA",
    )
    assert (c.lab.name, c.lab.company, c.lab.location, c.lab.date) == (
        "Lars Lab",
        "Example Test Lab",
        "Arnhem",
        "2026-03-02",
    )


def test_a_self_test_without_lab_details() -> None:
    c = build_certificate(replace(passing_result(), lab=LabInfo()))
    assert field(c.header, "Certificate number").value == "not assigned (self-test)"
    assert field(c.header, "Test report number").value == "octt-abc123def456"
    assert field(c.abstract, "Test laboratory").value == "none configured (self-test)"
    assert "the party that ran the tests" in c.applied_tests
    assert c.lab.company == "" and c.vendor.date == ""


def test_full_scope_when_every_profile_passed() -> None:
    profiles = [p.value for p, _ in FUNCTIONALITIES]
    cases = tuple(
        CaseResult(f"TC_0{i}0_CSMS", "x", p, Verdict.PASS) for i, p in enumerate(profiles)
    )
    result = replace(passing_result(), cases=cases, profiles=failing_result(cases).profiles)
    c = build_certificate(result)
    assert field(c.header, "Scope of this certificate").value == (
        "OCPP 1.6 Full: Core and all five optional feature profiles"
    )


def test_digital_signature_is_shown_grouped() -> None:
    signature = DigitalSignature("Ed25519", "sha256:" + "0123456789abcdef" * 4, "CN=Lab")
    c = build_certificate(passing_result(), signature)
    assert c.digital_signature == signature
    assert signature.fingerprint_grouped == " ".join(["0123", "4567", "89ab", "cdef"] * 4)
    assert build_certificate(passing_result()).digital_signature is None


def test_disclaimer_is_octts_own() -> None:
    c = build_certificate(passing_result())
    assert c.disclaimer == DISCLAIMER
    text = " ".join(c.disclaimer)
    assert "not an OCA certificate" in text and "only to the product designation" in text
    assert LAB.name not in text


def test_the_interrupted_case_is_named_not_counted_as_a_tool_error() -> None:
    [first, *rest] = passing_result().cases
    stopped = replace(first, verdict=Verdict.ERROR, reason="interrupted", interrupted=True)
    result = replace(failing_result((stopped, *rest)), interrupted=True)
    standing, reasons = run_standing(result)
    assert standing is Standing.INCOMPLETE
    assert reasons[0].startswith(f"The run was interrupted during {first.id}")
    assert not [r for r in reasons if "could not be completed" in r]


def test_robustness_cases_never_reach_the_certificate_tables() -> None:
    result = replace(passing_result(), robustness=robustness_cases())  # one of them failed
    c = build_certificate(result)
    # A failed robustness case fails the run (exit 1), so the document says so; the cases
    # themselves are in report.html only.
    assert c.standing is Standing.NOT_PASSED and not c.passed
    assert c.reasons == ("1 robustness case(s) failed or could not be completed.",)
    assert "RB." not in repr(c)
    passed = [r for r in robustness_cases() if r.verdict is Verdict.PASS]
    c = build_certificate(replace(passing_result(), robustness=tuple(passed)))
    assert c.passed and "RB." not in repr(c) and "obustness" not in repr(c)


def test_a_security_case_speaks_for_the_profile_it_ran_on() -> None:
    def sec(case_id: str, profile: int | None, verdict: Verdict = Verdict.PASS) -> CaseResult:
        return CaseResult(case_id, case_id, "security", verdict, security_profile=profile)

    cases = (
        sec("TC_073_CSMS", 1),
        sec("TC_086_CSMS", 2),
        sec("TC_087_CSMS", 3),
        sec("TC_079_CSMS", 1, Verdict.FAIL),  # counts once, for the profile it ran on
        sec("TC_083_CSMS", 2),  # raised 2 -> 3: counts once, for the profile it ran on
    )
    pics = {**PICS, "security": {"profiles": [1, 2, 3]}}
    result = replace(failing_result(cases), pics=pics)
    c = build_certificate(result)
    rows = {r.id: (r.outcome, r.detail) for r in c.security}
    assert rows["SEC-1"] == (Outcome.FAIL, "1 of 2 case(s) passed, 1 failed")
    assert rows["SEC-2"] == (Outcome.PASS, "2 of 2 case(s) passed")
    assert rows["SEC-3"] == (Outcome.PASS, "1 of 1 case(s) passed")
    # The page agrees with itself: the rows add up to the cases run, profile by profile.
    fields = {f.label: f.value for f in c.configuration}
    assert (
        fields["Security profiles of the security cases"] == "1 (2 cases), 2 (2 cases), 3 (1 case)"
    )
    # A result without the recorded profile: the case counts once, for the lowest supported.
    old = replace(result, cases=(sec("TC_079_CSMS", None, Verdict.FAIL),))
    outcomes = {r.id: r.outcome for r in build_certificate(old).security}
    assert outcomes == {
        "SEC-1": Outcome.FAIL,
        "SEC-2": Outcome.NOT_APPLICABLE,
        "SEC-3": Outcome.NOT_APPLICABLE,
    }


def test_a_partial_run_is_a_partial_test_summary_that_lists_what_it_left_out() -> None:
    scope = RunScope(
        tests=("TC_001_CSMS",),
        outside=(
            OutsideCase("TC_004_1_CSMS", "core", "Remote start", True),
            OutsideCase("TC_044_1_CSMS", "firmware-management", "Firmware", True),
        ),
    )
    c = build_certificate(replace(passing_result(), scope=scope))
    assert not c.passed and c.standing is Standing.PASSED  # the selection passed; no certificate
    assert c.title == "Partial Test Summary — Selected Cases Passed"
    assert c.banner == "PARTIAL TEST SUMMARY — this document is not a certificate"
    assert c.watermark == "PARTIAL"
    assert c.reasons[1:] == (
        "Not run — Core: TC_004_1_CSMS.",
        "Not run — Firmware Management: TC_044_1_CSMS.",
    )
    outcome, detail = functionality(c, "Core")
    assert outcome is Outcome.PARTIAL
    assert detail.endswith("1 mandatory case(s) not in this run's selection")
    assert field(c.header, "Certificate number").value.startswith("none")
    assert "partial selection (--test TC_001_CSMS)" in c.approval


def test_a_case_not_run_keeps_its_functionality_from_passing() -> None:
    missing = CaseResult(
        "TC_064_CSMS", "Data transfer", "core", Verdict.NOT_RUN, "missing: unsupported_vendor_id"
    )
    passed = passing_result()
    c = build_certificate(failing_result((*passed.cases, missing)))
    assert not c.passed
    outcome, detail = functionality(c, "Core")
    assert outcome is Outcome.INCOMPLETE and "1 not run (test data missing)" in detail
    assert any("could not run" in reason and "TC_064_CSMS" in reason for reason in c.reasons)


def test_the_certificate_names_the_edition_of_the_test_case_document() -> None:
    run = failing_result()
    run = dataclasses.replace(run, settings={**run.settings, "edition": "2024-04"})
    c = build_certificate(run)
    assert field(c.configuration, "Test case document").value == (
        "OCA Test case document OCTT for OCPP 1.6, edition 2024-04"
    )
    old = build_certificate(failing_result())  # a result.json from before editions
    assert field(old.configuration, "Test case document").value == "not recorded"
