"""Which CALL an expect_call step judges when the operator made the CSMS send it.

A CSMS may send a request of the same action on its own (a GetConfiguration poll after boot,
after a ChangeConfiguration, every few seconds) just before or after the one the operator asked
for. The step judges the CALL the operator's action caused (README, "What a CSMS may do beside
the script"):

- a CALL that arrived before the operator was asked to act is unsolicited;
- a CALL that does not satisfy the step while a later one does is unsolicited; the step waits
  for a better one until the operator's action is over (a trigger API answered, the person
  typed done) and `CANDIDATE_GRACE_S` more, or until its deadline; when none comes, the last
  one is judged.

An unsolicited CALL is answered and acted on at once (the CSMS may wait for the answer before it
sends anything else) and gets the tolerance policy's finding. Also here: operator actions never
overlap (`wait_for_previous_triggers`).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from octt.catalog.model import ExpectCallStep
from octt.engine.context import CaseContext, OperatorTicket
from octt.engine.link import IncomingCall
from octt.engine.matchers import evaluate
from octt.findings import Finding, Severity

#: How long (real seconds) after the operator's action is over (and after the latest CALL that
#: does not satisfy the step) a CALL that does is still waited for.
CANDIDATE_GRACE_S = 0.5
BEFORE_TRIGGER = "it arrived before the operator's action, which therefore did not cause it"
SUPERSEDED = "a later one satisfies the step: that one is the CALL the operator's action caused"


def judged_findings(
    ctx: CaseContext, step: ExpectCallStep, incoming: IncomingCall
) -> list[Finding]:
    """What the step's expectations (and those of the enclosing states) say about `incoming`."""
    found: list[Finding] = []
    scope = ctx.scope()  # {now}: when the step receives the CALL (for expiry dates)
    for expectations in (step.expect, *ctx.expectations_for(step.action)):
        found.extend(
            evaluate(
                f"{step.action}.req",
                incoming.call.payload,
                expectations,
                scope,
                rule_prefix=f"expect.{step.action}",
                spec=ctx.spec,
                frames=(incoming.frame,),
            )
        )
    return found


def satisfies(ctx: CaseContext, step: ExpectCallStep, incoming: IncomingCall) -> bool:
    if any(f.severity is Severity.ERROR for f in incoming.findings):
        return False
    return not any(f.severity is Severity.ERROR for f in judged_findings(ctx, step, incoming))


@dataclass
class CausedCall:
    """Picks, among the CALLs of the step's action, the one the operator's action caused."""

    ctx: CaseContext
    step: ExpectCallStep
    ticket: OperatorTicket | None
    # CALLs that did not satisfy the step, answered already, with their tolerance finding.
    candidates: list[tuple[IncomingCall, Finding]] = field(default_factory=list)
    since: float | None = None  # when the latest candidate arrived (monotonic)
    finished_at: float | None = None  # when the operator's action was seen over

    def answered(self, incoming: IncomingCall) -> bool:
        """Whether `incoming` was answered already (a candidate that ended up judged)."""
        return any(c is incoming for c, _ in self.candidates)

    def pick(self) -> IncomingCall | None:
        """The CALL to judge, or None to keep waiting (see `wake_in_s`)."""
        ctx, action = self.ctx, self.step.action
        while True:
            incoming = next((i for i in ctx.inbox if i.call.action == action), None)
            if incoming is None:
                break
            ctx.inbox.remove(incoming)
            if self.ticket is None:
                return incoming  # nobody was asked to act: the first one is the one
            if incoming.frame < self.ticket.fired_seq:
                ctx.unsolicited(incoming, BEFORE_TRIGGER)
                continue
            if satisfies(ctx, self.step, incoming):
                self._settle_candidates()
                return incoming
            self.candidates.append((incoming, ctx.beside_script(incoming, SUPERSEDED)))
            self.since = ctx.clock.monotonic()
            ctx.spawn(ctx.answer(incoming, None, None))
        if self.since is not None and self.wake_in_s() <= 0:
            return self._judge_last()
        return None

    def wake_in_s(self) -> float:
        """Seconds until the latest candidate is judged after all (inf: no candidate, or the
        operator's action is not over: the wait also ends when it is)."""
        if self.since is None or self.ticket is None or not self.ticket.task.done():
            return float("inf")
        now = self.ctx.clock.monotonic()
        if self.finished_at is None:
            self.finished_at = now
        return max(self.since, self.finished_at) + CANDIDATE_GRACE_S - now

    def last_chance(self) -> IncomingCall | None:
        """At the step's deadline: the latest candidate, if there is one."""
        return self._judge_last() if self.candidates else None

    def _judge_last(self) -> IncomingCall:
        last, _ = self.candidates[-1]
        self.candidates, earlier = self.candidates[-1:], self.candidates[:-1]
        for _, finding in earlier:
            self.ctx.add_finding(finding)
        self.since = None
        return last

    def _settle_candidates(self) -> None:
        for _, finding in self.candidates:
            self.ctx.add_finding(finding)
        self.candidates = []


async def wait_for_previous_triggers(ctx: CaseContext) -> None:
    """Operator actions never overlap: wait until the CSMS finished the previous one whose CALL
    arrived (its operator task ended: the trigger API answered) or the operator timeout passed."""
    pending = [t.task for t in ctx.tickets if t.consumed and not t.task.done()]
    if pending:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait(pending, timeout=ctx.operator_timeout_s)
