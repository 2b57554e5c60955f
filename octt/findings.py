"""Findings: what a check says about the CSMS, as data.

A finding is never an exception. Checks anywhere (schema validation, OCPP-J envelope rules, a test
case's expectations, the operator) produce `Finding` values; the engine attaches them to the test
case and the verdict follows from their severities.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How much a finding weighs: an error fails the case, a warning is shown to the vendor,
    an advisory is a check no edition of the OCA test case document lists (OCPP or the security
    whitepaper asks for it): reported on its own, never part of a verdict; info records legal
    behaviour worth knowing (e.g. a harmless CALL the scenario does not script) and weighs
    nothing."""

    ERROR = "error"
    WARNING = "warning"
    ADVISORY = "advisory"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One observation about the CSMS's behaviour.

    `rule` is a stable dotted identifier (e.g. ``schema.response``, ``ocppj.unknown-unique-id``,
    ``expect.BootNotification.status``); `spec` cites where the rule comes from; `frames` are the
    sequence numbers of the trace frames that are the evidence; `step` is the test step (1-based
    index and label) during which it was observed.
    """

    rule: str
    severity: Severity
    message: str
    spec: str = ""
    frames: tuple[int, ...] = ()
    step: str = ""

    def at_step(self, step: str) -> Finding:
        """The same finding, attributed to `step` (unless it already names one)."""
        if self.step:
            return self
        return Finding(self.rule, self.severity, self.message, self.spec, self.frames, step)

    def as_advisory(self, clause: str) -> Finding:
        """The same finding as an advisory, citing the clause that motivates it."""
        return Finding(self.rule, Severity.ADVISORY, self.message, clause, self.frames, self.step)

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "spec": self.spec,
            "step": self.step,
            "frames": list(self.frames),
        }


def error(rule: str, message: str, *, spec: str = "", frames: tuple[int, ...] = ()) -> Finding:
    return Finding(rule, Severity.ERROR, message, spec, frames)


def warning(rule: str, message: str, *, spec: str = "", frames: tuple[int, ...] = ()) -> Finding:
    return Finding(rule, Severity.WARNING, message, spec, frames)


def info(rule: str, message: str, *, spec: str = "", frames: tuple[int, ...] = ()) -> Finding:
    return Finding(rule, Severity.INFO, message, spec, frames)
