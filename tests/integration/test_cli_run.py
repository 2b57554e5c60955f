"""The `octt` command line, in-process through `octt.cli.main` with an injected Environment:
exit statuses, the files a run writes, usage errors that name the flag or file:line, and the
catalog commands. Runs without --csms use the embedded reference CSMS on a loopback port."""

from __future__ import annotations

import dataclasses
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cli_support import Cli
from cli_support import run_octt as octt

from octt.report.junit import write_junit
from octt.resources import default_pics_path, schema_path
from octt.result.load import load_result
from octt.result.result_json import write_result

CORE_CASES = 34
FAST = ("--reconnect-pause", "0.001")  # many cases in a row
RESULT_FIELDS = {
    "schema_version", "tool", "run_id", "started_at", "finished_at", "sut", "csms_url",
    "security_profile", "verdict", "profiles", "cases", "performance", "schemas", "pics",
}  # fmt: skip
CASE_FIELDS = {"id", "title", "profile", "verdict", "reason", "duration_s", "findings"}
TIMING_FIELDS = {"count", "min_s", "avg_s", "max_s", "p95_s", "limit_s", "verdict"}


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def read_trace(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def core_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, Path]:
    """`octt run --profile core --report-dir out` against the embedded reference CSMS."""
    cwd = tmp_path_factory.mktemp("core-run")
    return octt(
        cwd, "run", "--profile", "core", "--reconnect-pause", "0.001", "--report-dir", "out"
    ), cwd / "out"


@pytest.fixture(scope="module")
def catalog_rows(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    cli = octt(tmp_path_factory.mktemp("list"), "list", "--json")
    assert cli.status == 0, cli.stderr
    rows: list[dict[str, Any]] = json.loads(cli.stdout)
    return rows


# -- a full run ------------------------------------------------------------------------------


def test_core_run_passes_and_writes_its_files(core_run: tuple[Cli, Path]) -> None:
    cli, out = core_run
    assert cli.status == 4, cli.stdout + cli.stderr
    assert {"result.json", "junit.xml", "trace.jsonl"} <= {p.name for p in out.iterdir()}
    assert str(out) in cli.stdout  # "reports: <dir>"


def test_result_json_has_the_documented_fields(core_run: tuple[Cli, Path]) -> None:
    _, out = core_run
    result = read_json(out / "result.json")
    assert set(result) >= RESULT_FIELDS
    assert result["verdict"] == "pass"
    assert result["tool"]["name"] == "octt"
    assert result["csms_url"].startswith("ws://127.0.0.1:")
    assert result["sut"]["product"] == "octt reference CSMS"
    assert result["pics"]["test_data"]["charge_point_id"] == "OCTT-CP-001"
    assert result["profiles"] == [
        {"name": "core", "verdict": "pass", "passed": CORE_CASES, "failed": 0,
         "total": CORE_CASES, **{k: v for k, v in result["profiles"][0].items()
                                  if k not in {"name", "verdict", "passed", "failed", "total"}}}
    ]  # fmt: skip
    cases = result["cases"]
    assert len(cases) == CORE_CASES
    assert len({c["id"] for c in cases}) == CORE_CASES
    for case in cases:
        assert set(case) >= CASE_FIELDS, case["id"]
        assert case["profile"] == "core"
        assert case["verdict"] == "pass", (case["id"], case["reason"], case["findings"])
        assert case["duration_s"] >= 0
    for name in ("response_time", "authorize"):
        timing = result["performance"][name]
        assert set(timing) >= TIMING_FIELDS, name
        assert timing["count"] > 0
        assert timing["verdict"] == "pass"
        assert timing["min_s"] <= timing["avg_s"] <= timing["max_s"] <= timing["limit_s"]
    assert result["performance"]["response_time"]["limit_s"] == 30
    assert result["performance"]["authorize"]["limit_s"] == 5
    assert result["schemas"]["source"]
    assert len(result["schemas"]["sha256"]) == 64


def test_result_json_matches_its_schema(core_run: tuple[Cli, Path]) -> None:
    schema_file = schema_path("result.schema.json")
    if not schema_file.is_file():
        pytest.skip("schemas/result.schema.json does not exist yet")
    schema = read_json(schema_file)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(read_json(core_run[1] / "result.json")), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])


def test_junit_xml_lists_every_case(core_run: tuple[Cli, Path]) -> None:
    _, out = core_run
    root = ET.parse(out / "junit.xml").getroot()
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "core"
    assert suite.get("tests") == str(CORE_CASES)
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("0", "0", "0")
    cases = suite.findall("testcase")
    assert len(cases) == CORE_CASES
    names = {c.get("name", "").split()[0] for c in cases}
    assert names == {c["id"] for c in read_json(out / "result.json")["cases"]}
    for case in cases:
        assert case.find("failure") is None and case.find("error") is None
        assert float(case.get("time", "-1")) >= 0


def test_trace_holds_every_frame_in_order(core_run: tuple[Cli, Path]) -> None:
    _, out = core_run
    trace = read_trace(out / "trace.jsonl")
    assert [r["seq"] for r in trace] == list(range(1, len(trace) + 1))
    frames = [r for r in trace if "dir" in r]
    assert {r["dir"] for r in frames} == {"cp->csms", "csms->cp"}
    for record in frames:
        json.loads(record["text"])  # the reference CSMS only sends well-formed JSON
        assert record["utc"].endswith("Z")
    result = read_json(out / "result.json")
    assert {r["case"] for r in frames} == {c["id"] for c in result["cases"]}
    # Every frame a step cites exists in the trace.
    seqs = {r["seq"] for r in trace}
    for case in result["cases"]:
        for step in case.get("steps", []):
            assert set(step.get("frames", [])) <= seqs, (case["id"], step)


def test_report_rerenders_junit_from_result_json(
    core_run: tuple[Cli, Path], tmp_path: Path
) -> None:
    _, out = core_run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    original = (copy / "junit.xml").read_bytes()
    (copy / "junit.xml").unlink()
    cli = octt(tmp_path, "report", "copy")
    assert cli.status == 0, cli.stderr
    first = (copy / "junit.xml").read_bytes()
    assert str(CORE_CASES) in cli.stdout  # the summary table counts the cases again
    # Byte for byte what `octt run` wrote, suite times included.
    assert first == original
    # Rendering again from the same result.json gives the same bytes.
    assert octt(tmp_path, "report", "copy").status == 0
    assert (copy / "junit.xml").read_bytes() == first


def test_report_rerenders_suite_time_identically(
    core_run: tuple[Cli, Path], tmp_path: Path
) -> None:
    """Deterministic form of the suite-time drift: three cases of 0.4 ms each."""
    _, out = core_run
    loaded = load_result(out / "result.json")
    cases = tuple(dataclasses.replace(c, duration_s=0.0004) for c in loaded.cases[:3])
    result = dataclasses.replace(loaded, cases=cases)
    folder = tmp_path / "run"
    folder.mkdir()
    write_result(folder / "result.json", result)  # what `octt run` does at the end
    write_junit(folder / "junit.xml", result)
    original = (folder / "junit.xml").read_bytes()
    assert octt(tmp_path, "report", "run").status == 0
    assert (folder / "junit.xml").read_bytes() == original
    # The suite time is the sum of the rounded durations (0.000), not of the raw ones (0.0012).
    [suite] = ET.fromstring(original).findall("testsuite")
    assert suite.get("time") == "0.000"


def test_report_on_a_folder_without_result_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    cli = octt(tmp_path, "report", "empty")
    assert cli.status == 2
    assert "result.json" in cli.stderr


def test_single_test_run(tmp_path: Path) -> None:
    cli = octt(tmp_path, "run", "--test", "TC_023_1_CSMS", "--report-dir", "one")
    assert cli.status == 4, cli.stdout + cli.stderr
    result = read_json(tmp_path / "one" / "result.json")
    assert [(c["id"], c["verdict"]) for c in result["cases"]] == [("TC_023_1_CSMS", "pass")]
    assert result["verdict"] == "pass"
    trace = read_trace(tmp_path / "one" / "trace.jsonl")
    assert {r["case"] for r in trace if "dir" in r} == {"TC_023_1_CSMS"}


def test_operator_none_skips_operator_cases_and_exits_1(
    tmp_path: Path, catalog_rows: list[dict[str, Any]]
) -> None:
    cli = octt(
        tmp_path, "run", "--profile", "core", "--operator", "none", *FAST, "--report-dir", "none"
    )
    assert cli.status == 1, cli.stdout + cli.stderr
    result = read_json(tmp_path / "none" / "result.json")
    assert result["verdict"] == "fail"
    needs_operator = {
        r["id"] for r in catalog_rows if r["profile"] == "core" and r["needs_operator"]
    }
    assert needs_operator, "the Core profile has cases that need the CSMS to act"
    verdicts = {c["id"]: c["verdict"] for c in result["cases"]}
    assert {i for i, v in verdicts.items() if v == "skipped"} == needs_operator
    assert {i for i, v in verdicts.items() if v != "skipped"} == set(verdicts) - needs_operator
    assert all(v == "pass" for i, v in verdicts.items() if i not in needs_operator)
    for case in result["cases"]:
        if case["verdict"] == "skipped":
            assert "none" in case["reason"], case
    [suite] = ET.parse(tmp_path / "none" / "junit.xml").getroot().findall("testsuite")
    assert suite.get("skipped") == str(len(needs_operator))


# -- usage errors (exit 2, the message names the flag or file:line) --------------------------


def _no_reports(cwd: Path) -> None:
    assert not (cwd / "reports").exists()
    assert not (cwd / "out").exists()


def _bad_pics(tmp_path: Path) -> tuple[Path, int]:
    lines = default_pics_path().read_text(encoding="utf-8").splitlines()
    [index] = [i for i, line in enumerate(lines) if line.strip().startswith("response_timeout_s:")]
    lines[index] = "  response_timeout_s: soon"
    path = tmp_path / "bad-pics.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, index + 1


def test_pics_schema_error_names_file_and_line(tmp_path: Path) -> None:
    path, line = _bad_pics(tmp_path)
    cli = octt(tmp_path, "run", "--pics", path.name, "--report-dir", "out")
    assert cli.status == 2
    assert cli.stderr.count("\n") == 1 and cli.stderr.endswith("\n"), cli.stderr
    message = cli.stderr.removeprefix("octt: ").rstrip("\n")
    assert message.startswith(f"{path}:{line}:"), cli.stderr
    assert "response_timeout_s" in message
    _no_reports(tmp_path)


def test_pics_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("sut:\n  vendor: x\nprofiles: [core\n", encoding="utf-8")
    cli = octt(tmp_path, "list", "--pics", path.name)
    assert cli.status == 2
    assert cli.stderr.count("\n") == 1 and cli.stderr.endswith("\n"), cli.stderr
    message = cli.stderr.removeprefix("octt: ").rstrip("\n")
    assert message.startswith(f"{path}:"), cli.stderr
    line = message.removeprefix(f"{path}:").split(":")[0]
    assert line.isdigit() and int(line) >= 3, cli.stderr


def test_usage_error_is_one_line_even_for_a_long_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    deep = tmp_path / ("a-folder-with-a-long-name-" * 3) / "and-another-long-folder-name"
    deep.mkdir(parents=True)
    path, line = _bad_pics(deep)
    cli = octt(tmp_path, "run", "--pics", str(path.relative_to(tmp_path)))
    assert cli.status == 2
    [only] = cli.stderr.splitlines()
    assert only.startswith(f"octt: {path}:{line}: "), cli.stderr
    assert "response_timeout_s" in only


def test_usage_error_message_is_not_markup(tmp_path: Path) -> None:
    cli = octt(tmp_path, "run", "--test", "[/x]")
    assert cli.status == 2
    assert "--test [/x]" in cli.stderr
    red = octt(tmp_path, "run", "--test", "[red]TC_999_CSMS")
    assert red.status == 2
    assert "--test [red]TC_999_CSMS" in red.stderr  # not eaten as markup
    assert "\x1b" not in red.stderr  # no colour codes either


def test_unknown_test_id(tmp_path: Path) -> None:
    cli = octt(tmp_path, "run", "--test", "TC_999_CSMS", "--report-dir", "out")
    assert cli.status == 2
    assert "--test TC_999_CSMS" in cli.stderr
    _no_reports(tmp_path)


def test_bogus_operator(tmp_path: Path) -> None:
    cli = octt(tmp_path, "run", "--operator", "bogus", "--report-dir", "out")
    assert cli.status == 2
    assert "--operator" in cli.stderr and "bogus" in cli.stderr
    _no_reports(tmp_path)


def test_csms_must_be_a_websocket_url(tmp_path: Path) -> None:
    cli = octt(tmp_path, "run", "--csms", "http://x", "--report-dir", "out")
    assert cli.status == 2
    assert "--csms" in cli.stderr and "http://x" in cli.stderr
    _no_reports(tmp_path)


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["run", "--profile", "gold-plated"], "--profile"),
        (["run", "--time-scale", "5"], "--time-scale"),
        (["run", "--operator-timeout", "0"], "--operator-timeout"),
        (["run", "--security-profile", "7"], "--security-profile"),
        (["run", "--frobnicate"], "--frobnicate"),
    ],
)
def test_flag_errors_name_the_flag(tmp_path: Path, argv: list[str], flag: str) -> None:
    cli = octt(tmp_path, *argv)
    assert cli.status == 2
    assert flag in cli.stderr
    _no_reports(tmp_path)


def test_missing_pics_file_is_a_usage_error(tmp_path: Path) -> None:
    cli = octt(tmp_path, "run", "--pics", "nowhere.yaml")
    assert cli.status == 2
    assert "nowhere.yaml" in cli.stderr


# -- catalog commands ------------------------------------------------------------------------


def test_list_json(catalog_rows: list[dict[str, Any]]) -> None:
    core = [r for r in catalog_rows if r["profile"] == "core"]
    assert len(core) == CORE_CASES
    assert all(r["applicable"] for r in core)
    assert all(r["reason"] == "" for r in core)
    for row in catalog_rows:
        assert {"id", "title", "profile", "applicable", "reason", "needs_operator", "file"} <= set(
            row
        )
        assert Path(row["file"]).is_file()
    assert len({r["id"] for r in catalog_rows}) == len(catalog_rows)


def test_list_table(tmp_path: Path) -> None:
    cli = octt(tmp_path, "list")
    assert cli.status == 0, cli.stderr
    assert "TC_001_CSMS" in cli.stdout and "TC_064_CSMS" in cli.stdout


def test_show_prints_the_steps(tmp_path: Path) -> None:
    cli = octt(tmp_path, "show", "TC_010_CSMS")
    assert cli.status == 0, cli.stderr
    text = cli.stdout
    assert "TC_010_CSMS" in text
    assert "Remote Start Charging Session - Cable Plugged in First" in text
    assert "Steps" in text
    assert "booted" in text  # the before-state
    for number in range(1, 7):
        assert f"  {number}. " in text
    for action in ("RemoteStartTransaction", "Authorize", "StartTransaction"):
        assert action in text
    assert text.index("RemoteStartTransaction") < text.index("send Authorize")


def test_show_unknown_case(tmp_path: Path) -> None:
    cli = octt(tmp_path, "show", "TC_999_CSMS")
    assert cli.status == 2
    assert "TC_999_CSMS" in cli.stderr
