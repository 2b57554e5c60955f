"""`octt operator check`: against the reference CSMS every action works; a trigger-API fault
names the broken action; usage problems exit 2 and an unreachable CSMS 3."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cli_support import Cli, run_octt

from octt.reference import Fault, ReferenceConfig, ReferenceCsms, serve

CORE_ACTIONS = {
    "RemoteStartTransaction", "RemoteStopTransaction", "Reset", "UnlockConnector",
    "GetConfiguration", "ChangeConfiguration", "ClearCache",
}  # fmt: skip


def octt(cwd: Path, *argv: str) -> Cli:
    return run_octt(cwd, "operator", "check", *argv)


def rows(output: str) -> dict[str, str]:
    """Action → the rest of its table row."""
    found = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if len(cells) == 4 and cells[0] and cells[0][0].isupper() and cells[0] != "Action":
            found[cells[0]] = " | ".join(cells[1:])
    return found


@contextmanager
def reference(faults: frozenset[Fault]) -> Iterator[ReferenceCsms]:
    """A reference CSMS with `faults` on a loop of its own (the command runs its own)."""
    ready = threading.Event()
    started: list[ReferenceCsms] = []
    loop = asyncio.new_event_loop()

    def on_ready(csms: ReferenceCsms) -> None:
        started.append(csms)
        ready.set()

    task = loop.create_task(serve(ReferenceConfig(faults=faults), on_ready))

    def run() -> None:
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(task)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        assert ready.wait(10), "the reference CSMS did not start"
        yield started[0]
    finally:
        loop.call_soon_threadsafe(task.cancel)
        thread.join(10)
        loop.close()


def test_against_the_embedded_reference_every_action_works(tmp_path: Path) -> None:
    cli = octt(tmp_path)
    assert cli.status == 0, cli.stdout + cli.stderr
    table = rows(cli.stdout)
    assert set(table) >= CORE_ACTIONS
    assert {"ReserveNow", "SetChargingProfile", "InstallCertificate", "TriggerMessage"} <= set(
        table
    )
    assert all(row.startswith("yes |") and row.endswith("| works") for row in table.values())
    assert f"all {len(table)} action(s) work" in cli.stdout


def test_a_trigger_api_fault_names_the_broken_action(tmp_path: Path) -> None:
    with reference(frozenset({Fault.REMOTE_START_MISSING_IDTAG})) as csms:
        cli = octt(tmp_path, "--csms", csms.ocpp_url, "--operator", csms.control_url)
    assert cli.status == 1, cli.stdout + cli.stderr
    table = rows(cli.stdout)
    broken = {action for action, row in table.items() if not row.endswith("| works")}
    assert broken == {"RemoteStartTransaction"}
    assert "broken: RemoteStartTransaction\n" in cli.stdout
    assert (
        "  RemoteStartTransaction: not a valid RemoteStartTransaction.req: /idTag: required"
        " property 'idTag' is missing\n"
    ) in cli.stdout


def test_dropped_calls_are_reported_as_not_arrived(tmp_path: Path) -> None:
    with reference(frozenset({Fault.DROP_TRIGGERED_CALLS})) as csms:
        cli = octt(
            tmp_path, "--csms", csms.ocpp_url, "--operator", csms.control_url,
            "--operator-timeout", "0.1",
        )  # fmt: skip
    assert cli.status == 1
    table = rows(cli.stdout)
    assert table["ClearCache"].startswith("no |")
    assert "  ClearCache: no ClearCache within 0.1 s\n" in cli.stdout


def test_operator_none_cannot_drive_anything(tmp_path: Path) -> None:
    cli = octt(tmp_path, "--operator", "none")
    assert cli.status == 1
    assert rows(cli.stdout)["ClearCache"].startswith("no |")
    assert (
        "  ClearCache: operator cannot: operator mode 'none': nobody can make the CSMS send"
        " ClearCache\n"
    ) in cli.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    cli = octt(tmp_path, "--operator", "python:nowhere_at_all:make")
    assert cli.status == 2
    assert "--operator 'python:nowhere_at_all:make': cannot import nowhere_at_all" in cli.stderr
    assert octt(tmp_path, "--csms", "http://x").status == 2
    assert octt(tmp_path, "--pics", "missing.yaml").status == 2


def test_an_unreachable_csms_exits_3(tmp_path: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    cli = octt(tmp_path, "--csms", f"ws://127.0.0.1:{port}", "--operator", "none")
    assert cli.status == 3
    assert "the CSMS could not be reached" in cli.stderr
