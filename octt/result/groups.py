"""Finding groups: one root cause shown once.

When the same rule fails in many cases (a CSMS that spells a CALLERROR code wrong answers 43
robustness cases wrongly), the reader needs that one fact first, with the count and the cases,
before the per-case detail. A group is a rule (and severity) found in two or more cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from octt.findings import Finding, Severity
from octt.result.model import CaseResult

# A rule found in fewer cases than this is shown per case only.
GROUP_MINIMUM = 2


@dataclass(frozen=True)
class FindingGroup:
    rule: str
    severity: Severity
    cases: tuple[str, ...]  # case ids, in run order
    findings: int  # how many findings of the rule, over all those cases
    example: Finding  # the first one, for its message and spec reference

    @property
    def count(self) -> int:
        return len(self.cases)


def finding_groups(
    cases: Iterable[CaseResult], minimum: int = GROUP_MINIMUM
) -> tuple[FindingGroup, ...]:
    """The rules found in at least `minimum` cases, errors first, then by number of cases."""
    seen: dict[tuple[str, Severity], tuple[list[str], list[Finding]]] = {}
    for case in cases:
        for finding in case.findings:
            ids, found = seen.setdefault((finding.rule, finding.severity), ([], []))
            if case.id not in ids:
                ids.append(case.id)
            found.append(finding)
    groups = [
        FindingGroup(rule, severity, tuple(ids), len(found), found[0])
        for (rule, severity), (ids, found) in seen.items()
        if len(ids) >= minimum
    ]
    groups.sort(key=lambda g: (g.severity is not Severity.ERROR, -g.count, g.rule))
    return tuple(groups)
