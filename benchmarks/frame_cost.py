"""What one frame costs octt: record + parse + validate, in microseconds, on a realistic mix.

Each frame goes through exactly what `octt.engine.link.Link` does with it, minus the socket:

* a frame from the CSMS (a CALLRESULT to our CALL, or a CALL of its own): recorded into a real
  trace.jsonl (redacted, one flushed line), JSON-level rules on the raw text, parsed, fed to the
  sans-I/O session, and validated (schema + rules: direction, UTC timestamps, CALLERROR shape);
* a frame octt sends (a CALL, or the answer to the CSMS's CALL): its own payload checked against
  the schema, registered with the session, serialised and recorded.

The mix weighs the actions as an operating network sends them (mostly MeterValues, Heartbeat and
StatusNotification, some transactions, a few CSMS-initiated calls), with payloads from the
validation test corpus (tests/unit/validation/corpus.py). Each frame is timed on its own; the
figures are the median, mean and p99 over all frames of several passes. The invalid half of the
corpus is timed apart: a payload that breaks its schema takes the slow path (jsonschema explains
the violations), which a conformant CSMS never triggers.

Usage: python benchmarks/frame_cost.py [--passes N]          Target: median under 50 µs.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from octt.clock import SystemClock
from octt.ocppj.frames import Call, CallResult, load_json, parse
from octt.ocppj.session import CallReceived, ResultReceived, Session
from octt.record.model import Direction
from octt.record.redact import Redactor
from octt.record.trace import Recorder
from octt.validation.actions import CHARGE_POINT_INITIATED
from octt.validation.frames import FrameValidator
from octt.validation.schemas import SchemaSet

ROOT = Path(__file__).resolve().parents[1]
CP = "charge point"
CSMS = "CSMS"


def _corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "octt_corpus", ROOT / "tests" / "unit" / "validation" / "corpus.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["octt_corpus"] = module
    spec.loader.exec_module(module)
    return module


corpus = _corpus()


def _text(name: str) -> str:
    return str(corpus.by_name(name).text)


ACCEPTED = '{"status":"Accepted"}'

# (action, request payload text, response payload text, weight per 1000 exchanges)
MIX: tuple[tuple[str, str, str, int], ...] = (
    ("MeterValues", _text("meter-values-nested"), "{}", 400),
    ("Heartbeat", _text("heartbeat-req"), _text("heartbeat-conf"), 200),
    ("StatusNotification", _text("status-notification-req"), "{}", 200),
    ("Authorize", _text("authorize-req-idtag-20"), _text("authorize-conf-full"), 60),
    ("StartTransaction", _text("start-transaction-req"), _text("start-transaction-conf"), 40),
    ("StopTransaction", _text("stop-transaction-req-hertz-erratum"), "{}", 40),
    (
        "BootNotification",
        _text("boot-notification-req-minimal"),
        _text("boot-notification-conf"),
        20,
    ),
    ("DataTransfer", _text("data-transfer-req"), ACCEPTED, 10),
    ("RemoteStartTransaction", _text("remote-start-with-profile"), ACCEPTED, 10),
    ("SetChargingProfile", _text("charging-profile-limit-one-decimal"), ACCEPTED, 10),
    ("TriggerMessage", _text("trigger-message-req"), ACCEPTED, 5),
    ("ChangeConfiguration", _text("change-configuration-req-max-value"), ACCEPTED, 5),
)


@dataclass
class Pipeline:
    """The per-frame work of the link, without the socket."""

    recorder: Recorder
    validator: FrameValidator
    session: Session
    clock: SystemClock
    found: int = 0

    def incoming(self, text: str) -> None:
        stamp = self.clock.monotonic_ns()
        frame = self.recorder.frame(1, Direction.FROM_CSMS, text, stamp)
        findings = self.validator.check_text(text, frames=(frame.seq,))
        for event in self.session.receive(parse(text), self.clock.monotonic()):
            if isinstance(event, ResultReceived):
                action = event.pending.call.action
                findings += self.validator.check_result(action, event.result, sender=CSMS)
            elif isinstance(event, CallReceived):
                findings += self.validator.check_call(event.call, sender=CSMS)
        self.found += len(findings)

    def outgoing_call(self, action: str, payload: dict[str, Any]) -> str:
        self.found += len(self.validator.check_call(Call("check", action, payload), sender=CP))
        pending = self.session.prepare_call(action, payload, self.clock.monotonic())
        self.recorder.frame(1, Direction.TO_CSMS, pending.call.to_text(), self.clock.monotonic_ns())
        return pending.call.unique_id

    def outgoing_result(self, unique_id: str, action: str, payload: dict[str, Any]) -> None:
        result = self.session.prepare_result(unique_id, payload)
        self.found += len(self.validator.check_result(action, result, sender=CP))
        self.recorder.frame(1, Direction.TO_CSMS, result.to_text(), self.clock.monotonic_ns())


def _since(begun: int) -> float:
    """Microseconds since `begun` (a perf_counter_ns reading)."""
    return (time.perf_counter_ns() - begun) / 1000


def _run_mix(pipe: Pipeline, exchanges: list[tuple[str, str, str]]) -> dict[str, list[float]]:
    costs: dict[str, list[float]] = {"in": [], "out": []}
    for n, (action, request, response) in enumerate(exchanges):
        # What octt sends starts as a dict (the charge point's builders make one).
        if action in CHARGE_POINT_INITIATED:
            payload = load_json(request)
            begun = time.perf_counter_ns()
            unique_id = pipe.outgoing_call(action, payload)
            costs["out"].append(_since(begun))
            answer = CallResult(unique_id, load_json(response)).to_text()
            begun = time.perf_counter_ns()
            pipe.incoming(answer)
            costs["in"].append(_since(begun))
        else:
            unique_id = f"csms-{n}"
            call = Call(unique_id, action, load_json(request)).to_text()
            begun = time.perf_counter_ns()
            pipe.incoming(call)
            costs["in"].append(_since(begun))
            payload = load_json(response)
            begun = time.perf_counter_ns()
            pipe.outgoing_result(unique_id, action, payload)
            costs["out"].append(_since(begun))
    return costs


def _run_corpus(pipe: Pipeline, samples: tuple[object, ...]) -> list[float]:
    """Each corpus payload as a frame from the CSMS (a CALL, or the answer to our CALL)."""
    costs: list[float] = []
    for sample in samples:
        action, kind, text = sample.action, sample.kind, sample.text  # type: ignore[attr-defined]
        if kind == "conf":
            pending = pipe.session.prepare_call(action, {}, pipe.clock.monotonic())
            unique_id = pending.call.unique_id
            frame = f'[3,"{unique_id}",{text}]'
        else:
            frame = f'[2,"c-{len(costs)}","{action}",{text}]'
        begun = time.perf_counter_ns()
        pipe.incoming(frame)
        costs.append(_since(begun))
        pipe.session.expire(float("inf"))
        for call in pipe.session.unanswered_incoming():
            pipe.session.prepare_error(call.unique_id, "GenericError", "")
    return costs


def _line(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return (
        f"{label:<34} {len(values):>7} {statistics.median(values):>8.1f} "
        f"{statistics.fmean(values):>8.1f} {p99:>8.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=int, default=5, help="passes over the 1000-exchange mix")
    args = parser.parse_args()
    schemas = SchemaSet.load()
    exchanges = [(a, req, conf) for a, req, conf, weight in MIX for _ in range(weight)]
    random.Random(7).shuffle(exchanges)
    with tempfile.TemporaryDirectory() as tmp:
        clock = SystemClock()
        recorder = Recorder(clock, Redactor(("secret-password",)), Path(tmp) / "trace.jsonl")
        pipe = Pipeline(recorder, FrameValidator(schemas), Session(response_timeout_s=30), clock)
        _run_mix(pipe, exchanges[:200])  # warm-up: caches, first-use imports
        costs: dict[str, list[float]] = {"in": [], "out": []}
        for _ in range(args.passes):
            for key, values in _run_mix(pipe, exchanges).items():
                costs[key] += values
        mix_findings = pipe.found
        valid = _run_corpus(pipe, corpus.VALID * args.passes)
        invalid = _run_corpus(pipe, corpus.INVALID * args.passes)
        recorder.close()
    every = costs["in"] + costs["out"]
    print(
        f"frame cost: {platform.python_implementation()} {platform.python_version()},"
        f" {os.cpu_count()} CPUs; µs per frame (record + parse + validate)"
    )
    print(f"{'':<34} {'frames':>7} {'median':>8} {'mean':>8} {'p99':>8}")
    print(_line("realistic mix, all frames", every))
    print(_line("  frames from the CSMS (judged)", costs["in"]))
    print(_line("  frames octt sends", costs["out"]))
    print(_line("corpus, valid payloads", valid))
    print(_line("corpus, invalid payloads (slow path)", invalid))
    assert mix_findings == 0, f"the mix is meant to be valid, got {mix_findings} findings"
    median = statistics.median(every)
    print(f"throughput: {1e6 / statistics.fmean(every):,.0f} frames/s on one core")
    print("target met (median < 50 µs)" if median < 50 else "TARGET MISSED (median < 50 µs)")
    return 0 if median < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
