"""The `send_raw` step: a frame exactly as written, what the CSMS answered, and the grade.

The frame bypasses octt's own validation (bad input on purpose, e.g. from the robustness
profile). The link collects the answers that carry the frame's unique id (or, for a frame
without a readable one, whatever answer comes before the Heartbeat sent right after it); then a
Heartbeat shows whether the CSMS still works on that connection.

Grading, in two levels, because real CSMSes disagree on the exact CALLERROR code for most
malformed input (OCPP-J 1.6 §4.2.3 defines the codes loosely):

* error (the case fails): no answer where OCPP-J 1.6 asks for one, a CALLRESULT that accepts
  a message the spec says must be refused, a broken answer, a dropped connection, or a CSMS
  that stops answering afterwards;
* warning (the case passes with it): a CALLERROR with another code than the one the spec
  points to, and the softer expectations of `ExpectedAnswer.strict = False`.

Every finding names what was sent, what was expected and why (the expectation's `because`).

Before the first bad frame of a case, one Heartbeat is the baseline: a CSMS that does not answer
it cannot be judged on whether it still answers afterwards, so the case is inconclusive (verdict
error, with that reason), never a CSMS failure. A case whose set-up did not give what the bad
frame needs (a transactionId) is inconclusive too, naming the set-up step and the CSMS's answer.
"""

from __future__ import annotations

import json
from typing import Any

from octt.catalog.model import ExpectedAnswer, RawAnswerKind, SendRawStep
from octt.engine.context import CaseAborted, CaseContext, ToolError
from octt.engine.link import ANY_UNIQUE_ID, Exchange, RawAnswer, RawExchange
from octt.engine.templating import TemplateError, render
from octt.findings import Finding, Severity
from octt.result.model import ExchangeOutcome, ExchangeRecord, RawExchangeRecord, RawGrade

SPEC = "OCPP-J 1.6 §4.2.3"
#: The CALL that shows the CSMS still answers after the bad frame.
PROBE_ACTION = "Heartbeat"


class Inconclusive(ToolError):
    """The case cannot judge the CSMS's handling of the bad input (verdict error)."""


def describe_expected(expected: ExpectedAnswer) -> str:
    """The expected answer in words: "a CALLERROR ProtocolError", "a CALLRESULT", ..."""
    codes = " or ".join(expected.codes)
    if expected.answer is RawAnswerKind.CALLERROR:
        return f"a CALLERROR {codes}" if codes else "a CALLERROR (any OCPP-J 1.6 code)"
    if expected.answer is RawAnswerKind.CALLRESULT:
        return "a CALLRESULT" + (f" (or a CALLERROR {codes})" if codes else "")
    return "no particular answer (the unique id cannot be read), only that the CSMS goes on"


def judge(
    what: str, expected: ExpectedAnswer, answer: RawAnswer | None, waited_s: float
) -> list[Finding]:
    """The findings an answer (None: none came within `waited_s`) earns against `expected`."""
    because = f" ({expected.because})" if expected.because else ""
    want = describe_expected(expected)
    frames = (answer.frame,) if answer is not None else ()

    def finding(rule: str, severity: Severity, message: str) -> Finding:
        return Finding(rule, severity, message, SPEC, frames)

    if expected.answer is RawAnswerKind.ANY:
        if answer is not None and answer.kind == "callresult":
            return [
                finding(
                    "robustness.accepted",
                    Severity.WARNING,
                    f"the CSMS answered {what} with a CALLRESULT, as if it had read a valid CALL"
                    f" in it; expected {want}{because}",
                )
            ]
        return []
    if answer is None:
        return [
            Finding(
                "robustness.no-answer",
                Severity.ERROR,
                f"no answer to {what} within {waited_s:g} s; expected {want}{because}",
                SPEC,
            )
        ]
    if answer.kind == "malformed":
        return [
            finding(
                "robustness.malformed-answer",
                Severity.ERROR,
                f"the answer to {what} is not a well-formed CALLRESULT or CALLERROR;"
                f" expected {want}{because}",
            )
        ]
    severity = Severity.ERROR if expected.strict else Severity.WARNING
    code = answer.error_code or ""
    if expected.answer is RawAnswerKind.CALLERROR:
        if answer.kind == "callresult":
            return [
                finding(
                    "robustness.accepted",
                    severity,
                    f"the CSMS accepted {what} with a CALLRESULT; expected {want}{because}",
                )
            ]
        if expected.codes and code not in expected.codes:
            return [
                finding(
                    "robustness.error-code",
                    Severity.WARNING,
                    f"the CSMS answered {what} with CALLERROR {code}; the spec points to"
                    f" {' or '.join(expected.codes)}{because}",
                )
            ]
        return []
    if answer.kind == "callerror" and code not in expected.codes:
        return [
            finding(
                "robustness.rejected",
                severity,
                f"the CSMS answered {what} with CALLERROR {code}; expected {want}{because}",
            )
        ]
    return []


def _frame(ctx: CaseContext, step: SendRawStep) -> tuple[str, Any]:
    """The text to send and the unique id its answer would carry."""
    if step.text is not None:
        return step.text, step.unique_id
    unique_id = step.unique_id if step.unique_id is not None else f"octt-raw-{len(ctx.raw) + 1}"
    payload = render(dict(step.payload), ctx.scope())
    message = [2, unique_id, step.action, payload]
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False), unique_id


def _record(ctx: CaseContext, exchange: Exchange) -> None:
    response_s = exchange.response_ns / 1e9 if exchange.response_ns is not None else None
    ctx.exchanges.append(
        ExchangeRecord(
            exchange.action,
            exchange.outcome,
            exchange.request_frame,
            exchange.response_frame,
            response_s,
        )
    )


def _survival(ctx: CaseContext, what: str, probe: Exchange | None, closed: str | None) -> bool:
    """Findings when the connection is gone or the CSMS no longer answers; True if it lives."""
    if closed is not None:
        ctx.error(
            "robustness.connection-dropped",
            f"the connection closed after {what} ({closed}); a CSMS must survive bad input",
            spec=SPEC,
        )
        return False
    if probe is None:
        return False
    for finding in probe.findings:
        ctx.add_finding(finding)
    if probe.outcome is ExchangeOutcome.RESULT:
        return True
    how = {
        ExchangeOutcome.TIMEOUT: f"did not answer {PROBE_ACTION} within"
        f" {ctx.pics.limits.response_timeout_s:g} s",
        ExchangeOutcome.ERROR: f"answered {PROBE_ACTION} with a CALLERROR",
        ExchangeOutcome.MALFORMED: f"answered {PROBE_ACTION} with a broken frame",
    }.get(probe.outcome, f"could not be asked for a {PROBE_ACTION}")
    ctx.error(
        "robustness.stopped-answering",
        f"after {what} the CSMS {how}: it no longer works on this connection",
        spec=SPEC,
        frames=(probe.request_frame,),
    )
    return True


async def _baseline(ctx: CaseContext) -> None:
    """One Heartbeat before the first bad frame: the CSMS must answer it for its liveness after
    the bad frame to mean anything."""
    link = ctx.require_link()
    probe = await link.call(PROBE_ACTION, {})
    _record(ctx, probe)
    if probe.outcome is ExchangeOutcome.RESULT:
        return
    how = {
        ExchangeOutcome.TIMEOUT: "no answer",
        ExchangeOutcome.ERROR: f"a CALLERROR {probe.error.error_code if probe.error else ''}",
        ExchangeOutcome.MALFORMED: "a broken frame",
    }.get(probe.outcome, "no connection")
    raise Inconclusive(
        f"inconclusive: before any bad input the CSMS answered a {PROBE_ACTION} with {how},"
        f" so whether it still works after the bad input cannot be judged"
    )


def _set_up_failed(ctx: CaseContext, step: SendRawStep, missing: TemplateError) -> Inconclusive:
    """The set-up before the bad frame did not give what the frame needs: say which set-up
    step failed and what the CSMS answered (its findings become the reason)."""
    previous = ctx.steps[-1] if ctx.steps else None
    where = f"set-up step {previous.path} ({previous.description})" if previous else "the set-up"
    answered = [f for f in ctx.findings if previous is not None and f.step == previous.path]
    for finding in answered:
        ctx.findings.remove(finding)
    said = "; ".join(f.message for f in answered) or f"it did not give {missing}"
    return Inconclusive(f"inconclusive: {where} failed: {said}; {step.input} was not sent")


async def send_raw(ctx: CaseContext, step: SendRawStep) -> str:
    link = ctx.require_link()
    try:
        text, answer_id = _frame(ctx, step)
    except TemplateError as exc:
        raise _set_up_failed(ctx, step, exc) from exc
    if not ctx.raw:
        await _baseline(ctx)
    expected = step.expected
    limits = ctx.pics.limits
    wait_s = min(ctx.config.robustness_answer_timeout_s, limits.response_timeout_s)
    before = len(ctx.findings)
    exchange: RawExchange
    if expected.answer is RawAnswerKind.ANY:
        # Nothing can answer this frame: the Heartbeat right after it bounds the wait, and what
        # comes before the Heartbeat's answer is the CSMS's reaction to the frame.
        exchange = await link.raw_exchange(
            text,
            unique_id=ANY_UNIQUE_ID,
            action=step.action,
            timeout_s=limits.response_timeout_s,
            probe=(PROBE_ACTION, {}),
        )
        probe = exchange.probe
    else:
        exchange = await link.raw_exchange(
            text, unique_id=answer_id, action=step.action, timeout_s=wait_s
        )
        probe = None
        if not link.closed.is_set():
            probe = await link.call(PROBE_ACTION, {})
    if probe is not None:
        _record(ctx, probe)
    answer = exchange.answers[0] if exchange.answers else None
    waited = limits.response_timeout_s if expected.answer is RawAnswerKind.ANY else wait_s
    if exchange.sent:
        for finding in judge(step.input, expected, answer, waited):
            ctx.add_finding(finding)
    closed = link.close_detail if link.closed.is_set() else None
    survived = _survival(ctx, step.input, probe, closed)
    new = ctx.findings[before:]
    grade = RawGrade.PASS
    if any(f.severity is Severity.ERROR for f in new):
        grade = RawGrade.FAIL
    elif new:
        grade = RawGrade.WARNING
    ctx.raw.append(
        RawExchangeRecord(
            step=ctx.step_path,
            input=step.input,
            input_class=step.input_class,
            request_frame=exchange.request_frame,
            expected_answer=expected.answer.value,
            expected_codes=expected.codes,
            because=expected.because,
            answer=("not-sent" if not exchange.sent else answer.kind if answer else "none"),
            grade=grade,
            answer_code=answer.error_code if answer is not None else None,
            answer_description=answer.error_description if answer is not None else "",
            response_frame=answer.frame if answer is not None else None,
            response_s=(answer.stamp_ns - exchange.sent_ns) / 1e9 if answer is not None else None,
            connection_survived=survived,
        )
    )
    if closed is not None:
        raise CaseAborted
    if answer is None:
        return "no answer"
    if answer.kind == "callerror":
        return f"answered CALLERROR {answer.error_code}"
    return f"answered with a {answer.kind} frame"
