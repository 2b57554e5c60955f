"""Response-time figures from the recorded exchanges, judged against the PICS limits.

A response time is the time between the CALL frame's stamp and its answer's stamp, both taken
at the transport before parsing. A CALL that got no answer counts against the limit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from octt.result.model import (
    ExchangeOutcome,
    ExchangeRecord,
    LimitVerdict,
    Performance,
    TimingSummary,
)


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (fraction in (0, 1])."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def summarise(exchanges: Iterable[ExchangeRecord], limit_s: float) -> TimingSummary:
    answered: list[float] = []
    unanswered = 0
    for exchange in exchanges:
        if exchange.outcome is ExchangeOutcome.TIMEOUT:
            unanswered += 1
        elif exchange.response_s is not None:
            answered.append(exchange.response_s)
    if not answered:
        verdict = LimitVerdict.FAIL if unanswered else LimitVerdict.NO_DATA
        return TimingSummary(0, None, None, None, None, limit_s, verdict, unanswered)
    answered.sort()
    worst = answered[-1]
    verdict = LimitVerdict.PASS if worst <= limit_s and not unanswered else LimitVerdict.FAIL
    return TimingSummary(
        count=len(answered),
        min_s=answered[0],
        avg_s=sum(answered) / len(answered),
        max_s=worst,
        p95_s=percentile(answered, 0.95),
        limit_s=limit_s,
        verdict=verdict,
        unanswered=unanswered,
    )


def performance(
    exchanges: Sequence[ExchangeRecord], *, response_limit_s: float, authorize_limit_s: float
) -> Performance:
    """All CSMS responses, and Authorize alone (the two figures of an OCA certificate)."""
    relevant = [e for e in exchanges if e.outcome is not ExchangeOutcome.CLOSED]
    return Performance(
        response_time=summarise(relevant, response_limit_s),
        authorize=summarise((e for e in relevant if e.action == "Authorize"), authorize_limit_s),
    )
