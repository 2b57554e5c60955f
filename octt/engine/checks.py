"""Registered check helpers: the genuinely computational checks a `check` step can name.

A helper takes the case context and the step's rendered args and returns findings. The registry
is an explicit, immutable mapping built here (no import-time side effects elsewhere).
"""

from __future__ import annotations

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


CHECKS: Mapping[str, CheckHelper] = MappingProxyType(
    {
        "distinct_values": distinct_values,
        # The security whitepaper's computational checks (octt.engine.security_checks).
        "tls_server": security_checks.tls_server,
        "certificate_signed": security_checks.certificate_signed,
        "certificate_hash_data": security_checks.certificate_hash_data,
        "firmware_signature": security_checks.firmware_signature,
        "same_certificate": security_checks.same_certificate,
    }
)
