"""Registered check helpers: the genuinely computational checks a `check` step can name.

A helper takes the case context and the step's rendered args and returns findings. The registry
is an explicit, immutable mapping built here (no import-time side effects elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from octt.engine import security_checks
from octt.findings import Finding, Severity

if TYPE_CHECKING:
    from octt.engine.context import CaseContext

CheckHelper = Callable[["CaseContext", Mapping[str, Any]], Awaitable[list[Finding]]]


async def distinct_values(ctx: CaseContext, args: Mapping[str, Any]) -> list[Finding]:
    """The saved variables named in ``args.variables`` all hold different values.

    Used where the CSMS must not hand out the same identifier twice (e.g. transactionIds).
    """
    names = [str(n) for n in args.get("variables", [])]
    values = {n: ctx.variables.get(n) for n in names}
    seen: dict[Any, str] = {}
    findings: list[Finding] = []
    for name, value in values.items():
        if value in seen:
            findings.append(
                Finding(
                    str(args.get("rule", "distinct-values")),
                    Severity.ERROR,
                    f"{name} and {seen[value]} are both {value!r}; the CSMS must assign distinct"
                    " values",
                    ctx.spec,
                )
            )
        seen.setdefault(value, name)
    return findings


async def value_matches(ctx: CaseContext, args: Mapping[str, Any]) -> list[Finding]:
    """``args.value`` (a rendered template, e.g. a saved field) matches the regular expression
    ``args.pattern``; the finding says ``args.because`` and never shows a ``secret`` value."""
    value, pattern = args.get("value"), str(args.get("pattern", ""))
    if isinstance(value, str) and re.fullmatch(pattern, value):
        return []
    what = str(args.get("what", "the value"))
    shown = f"({len(value)} characters)" if isinstance(value, str) else f"({type(value).__name__})"
    if not args.get("secret") and isinstance(value, str):
        shown = repr(value)
    because = str(args.get("because", f"it must match {pattern}"))
    return [
        Finding(
            str(args.get("rule", "check.value")),
            Severity.ERROR,
            f"{what} {shown} does not fit: {because}",
            ctx.spec,
        )
    ]


CHECKS: Mapping[str, CheckHelper] = MappingProxyType(
    {
        "distinct_values": distinct_values,
        "value_matches": value_matches,
        # The security whitepaper's computational checks (octt.engine.security_checks).
        "tls_server": security_checks.tls_server,
        "certificate_signed": security_checks.certificate_signed,
        "certificate_hash_data": security_checks.certificate_hash_data,
        "firmware_signature": security_checks.firmware_signature,
        "same_certificate": security_checks.same_certificate,
    }
)
