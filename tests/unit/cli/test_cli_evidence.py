"""The report folder of `octt run`: a signed report is never mixed with another run
(reproduction 8: refused without --overwrite, whose run removes the stale signature), nothing is
lost for CI (reproduction 7: an unreachable CSMS still leaves result.json, junit.xml, the reports
and the --junit/--json copies), and the evidence holds no path of this machine (reproduction 9)."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

from cli_support import run_octt as octt

from octt.cli.evidence import OVERWRITE_FLAG, folder_problems, prepare
from octt.config import TEMPORARY_PKI
from octt.report.outputs import SIGNATURE_FILE
from octt.resources import data_root, default_pics_path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- a signed folder ------------------------------------------------------------------------------


def test_folder_problems(tmp_path: Path) -> None:
    assert folder_problems(tmp_path / "new", overwrite=False) == []
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert folder_problems(tmp_path / "file", overwrite=False) == [
        f"--report-dir {tmp_path / 'file'}: not a folder"
    ]
    (tmp_path / SIGNATURE_FILE).write_text("{}", encoding="utf-8")
    [problem] = folder_problems(tmp_path, overwrite=False)
    assert problem.startswith(f"--report-dir {tmp_path} holds a signed report (signature.json)")
    assert OVERWRITE_FLAG in problem
    assert folder_problems(tmp_path, overwrite=True) == []
    prepare(tmp_path)
    assert not (tmp_path / SIGNATURE_FILE).exists()


def test_a_signed_report_is_not_overwritten_silently(tmp_path: Path) -> None:
    assert octt(tmp_path, "keygen", "lab.key").status == 0
    one_case = ("--test", "TC_001_CSMS", "--report-dir", "out")
    signed = octt(tmp_path, "run", *one_case, "--sign-key", "lab.key")
    assert signed.status == 4, signed.stderr  # one case: partial, every selected case passed
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert SIGNATURE_FILE in before

    refused = octt(tmp_path, "run", *one_case)
    assert refused.status == 2
    assert str(tmp_path / "out") in refused.stderr and OVERWRITE_FLAG in refused.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
    assert octt(tmp_path, "verify", "out").status == 0  # still intact

    replaced = octt(tmp_path, "run", *one_case, OVERWRITE_FLAG)
    assert replaced.status == 4, replaced.stderr
    assert not (tmp_path / "out" / SIGNATURE_FILE).exists()  # no stale signature left behind
    resigned = octt(tmp_path, "run", *one_case, OVERWRITE_FLAG, "--sign-key", "lab.key")
    assert resigned.status == 4, resigned.stderr
    assert octt(tmp_path, "verify", "out").status == 0


# -- nothing lost for CI -------------------------------------------------------------------------


def test_an_unreachable_csms_still_leaves_every_file_and_the_ci_copies(tmp_path: Path) -> None:
    url = f"ws://127.0.0.1:{free_port()}"
    cli = octt(
        tmp_path,
        *("run", "--csms", url, "--pics", str(default_pics_path()), "--test", "TC_001_CSMS"),
        *("--report-dir", "out", "--junit", "ci/junit.xml", "--json", "ci/result.json"),
    )
    assert cli.status == 3, cli.stderr
    out = tmp_path / "out"
    names = {p.name for p in out.iterdir()}
    assert {"result.json", "junit.xml", "certificate.html", "certificate.pdf"} <= names
    assert {"report.html", "trace.jsonl"} <= names
    assert (tmp_path / "ci" / "junit.xml").read_bytes() == (out / "junit.xml").read_bytes()
    copied = json.loads((tmp_path / "ci" / "result.json").read_text(encoding="utf-8"))
    assert copied["interrupted"] is True and "could not be reached" in copied["stop_reason"]
    assert "INCOMPLETE" in (out / "junit.xml").read_text(encoding="utf-8")


# -- no machine paths -----------------------------------------------------------------------------


def test_the_evidence_names_no_path_of_this_machine(tmp_path: Path) -> None:
    """A security case makes the embedded reference CSMS create a temporary test PKI."""
    cli = octt(
        tmp_path, "run", "--test", "TC_001_CSMS", "--test", "TC_085_CSMS", "--report-dir", "out"
    )
    assert cli.status == 4, cli.stdout + cli.stderr
    out = tmp_path / "out"
    machine = re.compile(
        "|".join(
            re.escape(str(p)) for p in (tmp_path, data_root(), Path.home(), Path("/tmp/octt-"))
        )
    )
    for name in ("result.json", "junit.xml", "report.html", "certificate.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert not machine.search(text), (name, machine.search(text))
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert result["settings"]["pki_dir"] == TEMPORARY_PKI
    locations = [c["location"] for c in result["cases"]]
    assert locations == [
        "testcases/core/TC_001_CSMS.yaml:1",
        "testcases/security/TC_085_CSMS.yaml:1",
    ]
    assert result["cases"][0]["steps"][0]["location"].startswith("testcases/_states/booted.yaml:")
