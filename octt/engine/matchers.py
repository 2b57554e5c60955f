"""Expectations on a payload: ``expect:`` blocks of test steps, judged into findings.

Each entry maps a dotted path to a literal (must equal) or a matcher object:
``one_of``, ``tolerated`` (accepted with a warning), ``not``, ``absent``, ``present``,
``empty_or_absent``, ``at_least``, ``matches``; ``rule`` and ``because`` refine the finding.
``default`` judges an absent field as that value (the value the spec assumes when an optional
field is omitted, e.g. numberPhases = 3, OCPP 1.6 §7.14). ``any_of`` takes a list of nested
``expect`` blocks ("shapes") judged relative to the object at the path: the object must satisfy
at least one of them (e.g. a charging profile that is either Absolute with its times or Relative
without a startSchedule). ``greater_than`` wants a number strictly above a bound (a list
version that must grow, OCPP 1.6 §5.15); ``near`` with ``tolerance`` a number or an RFC 3339
date-time close to a value (tolerance in seconds for date-times: "an expiryDate about five
minutes from now"); ``min_items`` / ``max_items`` bound the length of an array.
A ``*`` part of a path stands for every item of an array, and the matcher judges each of them
(``localAuthorizationList.*.idTagInfo``); over an absent or empty array it judges nothing, so
pair it with ``min_items`` on the array where the array must not be empty.
Values are rendered (placeholders) before they are compared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from octt.engine.templating import Scope, dotted_get, render
from octt.findings import Finding, Severity

_MISSING = object()


def _same(actual: Any, expected: Any) -> bool:
    """JSON equality: no bool/number confusion, numbers compared by value, strings exact,
    arrays and objects element by element."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    numbers = (int, float, Decimal)
    if isinstance(actual, numbers) and isinstance(expected, numbers):
        return Decimal(str(actual)) == Decimal(str(expected))
    if isinstance(actual, list | tuple) and isinstance(expected, list | tuple):
        return len(actual) == len(expected) and all(map(_same, actual, expected))
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        return actual.keys() == expected.keys() and all(
            _same(actual[k], expected[k]) for k in actual
        )
    return type(actual) is type(expected) and bool(actual == expected)


def _show(value: Any) -> str:
    if value is _MISSING:
        return "absent"
    if isinstance(value, str):
        return repr(value)
    return str(value).replace("Decimal('", "").replace("')", "")


def evaluate(
    what: str,
    payload: Mapping[str, Any],
    expectations: Mapping[str, Any],
    scope: Scope,
    *,
    rule_prefix: str,
    spec: str,
    frames: tuple[int, ...],
) -> list[Finding]:
    """Judge `payload` against `expectations`; `what` names the message (``Authorize.conf``)."""
    findings: list[Finding] = []
    for problem in _problems(payload, expectations, scope):
        matcher = problem.matcher
        rule = str(matcher.get("rule", f"{rule_prefix}.{problem.pattern}"))
        because = f" ({matcher['because']})" if "because" in matcher else ""
        message = f"{what} {problem.path} is {problem.shown}; {problem.text}{because}"
        findings.append(Finding(rule, problem.severity, message, spec, frames))
    return findings


@dataclass(frozen=True)
class _Problem:
    path: str
    shown: str  # the actual value as the message shows it
    text: str
    severity: Severity
    matcher: Mapping[str, Any]
    pattern: str  # the path as the expectation wrote it (with * parts)


def _at(payload: Any, path: str) -> Any:
    try:
        return dotted_get(payload, path)
    except KeyError:
        return _MISSING


def _expand(payload: Any, pattern: str) -> list[tuple[str, Any]]:
    """(concrete path, value) for every place `pattern` names; a ``*`` part names every item of
    the array at that point (none when it is absent or not an array)."""
    head, star, rest = pattern.partition("*")
    if not star:
        return [(pattern, _at(payload, pattern))]
    prefix = head.rstrip(".")
    array = _at(payload, prefix) if prefix else payload
    if not isinstance(array, list):
        return []
    places: list[tuple[str, Any]] = []
    for index in range(len(array)):
        concrete = f"{prefix}.{index}" if prefix else str(index)
        places.extend(_expand(payload, concrete + rest))
    return places


def _problems(payload: Any, expectations: Mapping[str, Any], scope: Scope) -> list[_Problem]:
    problems: list[_Problem] = []
    for pattern, raw in expectations.items():
        matcher = raw if isinstance(raw, Mapping) else {"equals": raw}
        for path, value in _expand(payload, pattern):
            actual = value
            # A shape check names what is wrong inside the object; the object itself is long.
            shown = (
                "an object"
                if "any_of" in matcher and isinstance(actual, Mapping)
                else _show(actual)
            )
            if actual is _MISSING and "default" in matcher:
                actual = render(matcher["default"], scope)
                shown = f"absent (taken as {_show(actual)})"
            text, severity = _judge(actual, matcher, scope)
            if text is not None:
                problems.append(_Problem(path, shown, text, severity, matcher, pattern))
    return problems


def _shapes(actual: Any, shapes: Any, scope: Scope) -> tuple[str | None, Severity]:
    """``any_of``: `actual` satisfies at least one of the nested expect blocks. An alternative
    with only warnings counts as satisfied (the warnings are kept)."""
    descriptions: list[str] = []
    for number, shape in enumerate(shapes, start=1):
        problems = _problems(actual, shape, scope)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if not errors:
            if problems:
                return "; ".join(_describe(p) for p in problems), Severity.WARNING
            return None, Severity.ERROR
        descriptions.append(f"({number}) " + ", ".join(_describe(p) for p in errors))
    return "it matches none of the allowed shapes: " + "; ".join(descriptions), Severity.ERROR


def _describe(problem: _Problem) -> str:
    return f"{problem.path} is {problem.shown}, {problem.text}"


def _judge(actual: Any, matcher: Mapping[str, Any], scope: Scope) -> tuple[str | None, Severity]:
    """What is wrong with `actual` (None: nothing), and how much it weighs. A value listed under
    ``tolerated`` turns any problem into a warning."""
    problem, severity = _problem(actual, matcher, scope)
    if problem is not None and "tolerated" in matcher and actual is not _MISSING:
        tolerated = render(matcher["tolerated"], scope)
        if any(_same(actual, t) for t in tolerated):
            return f"tolerated, but {problem}", Severity.WARNING
    return problem, severity


def _problem(actual: Any, matcher: Mapping[str, Any], scope: Scope) -> tuple[str | None, Severity]:
    ok = Severity.ERROR
    if matcher.get("absent"):
        return (None if actual is _MISSING else "expected it to be absent"), ok
    if matcher.get("empty_or_absent"):
        empty = actual is _MISSING or actual in ([], {}, "")
        return (None if empty else "expected it to be empty or absent"), ok
    if actual is _MISSING:
        wants_value = (
            "present",
            "equals",
            "one_of",
            "at_least",
            "matches",
            "not",
            "any_of",
            "greater_than",
            "near",
            "min_items",
            "max_items",
        )
        if any(k in matcher for k in wants_value):
            return "expected it to be present", ok
        return None, ok
    if "any_of" in matcher:
        if not isinstance(actual, Mapping):
            return "expected an object", ok
        problem, severity = _shapes(actual, matcher["any_of"], scope)
        if problem is not None:
            return problem, severity
    if "equals" in matcher:
        expected = render(matcher["equals"], scope)
        if not _same(actual, expected):
            return f"expected {_show(expected)}", ok
    if "not" in matcher:
        unwanted = render(matcher["not"], scope)
        if _same(actual, unwanted):
            return f"expected anything but {_show(unwanted)}", ok
    if "one_of" in matcher:
        allowed = render(matcher["one_of"], scope)
        if not any(_same(actual, a) for a in allowed):
            return "expected one of " + ", ".join(_show(a) for a in allowed), ok
    if "at_least" in matcher:
        bound = render(matcher["at_least"], scope)
        if not isinstance(actual, int | float | Decimal) or isinstance(actual, bool):
            return f"expected a number of at least {bound}", ok
        if Decimal(str(actual)) < Decimal(str(bound)):
            return f"expected at least {bound}", ok
    if "matches" in matcher:
        pattern = str(render(matcher["matches"], scope))
        if not isinstance(actual, str) or not re.fullmatch(pattern, actual):
            return f"expected text matching /{pattern}/", ok
    if "greater_than" in matcher:
        bound = render(matcher["greater_than"], scope)
        if not _is_number(actual):
            return f"expected a number greater than {_show(bound)}", ok
        if _number(bound) is None or Decimal(str(actual)) <= Decimal(str(bound)):
            return f"expected a number greater than {_show(bound)}", ok
    if "near" in matcher:
        problem = _near(actual, render(matcher["near"], scope), matcher.get("tolerance", 0))
        if problem is not None:
            return problem, ok
    if "min_items" in matcher or "max_items" in matcher:
        return _items(actual, matcher, scope), ok
    return None, ok


def _items(actual: Any, matcher: Mapping[str, Any], scope: Scope) -> str | None:
    """``min_items`` / ``max_items``: the length of an array."""
    low = int(render(matcher.get("min_items", 0), scope))
    high = matcher.get("max_items")
    high = None if high is None else int(render(high, scope))
    wanted = f"at least {low}" if high is None else f"{low} to {high}"
    if high is not None and low == 0:
        wanted = f"at most {high}"
    if not isinstance(actual, list):
        return f"expected an array of {wanted} item(s)"
    if len(actual) < low or (high is not None and len(actual) > high):
        return f"expected {wanted} item(s), got {len(actual)}"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _near(actual: Any, target: Any, tolerance: Any) -> str | None:
    """``near``: a number within `tolerance` of `target`, or a date-time within `tolerance`
    seconds of it."""
    margin = Decimal(str(tolerance))
    wanted_time = _instant(target)
    if wanted_time is not None:
        moment = _instant(actual)
        expected = f"expected a date-time within {tolerance:g} s of {target}"
        if moment is None:
            return expected
        off = Decimal(str((moment - wanted_time).total_seconds()))
        if abs(off) > margin:
            return f"{expected} ({off:+.3f} s off)"
        return None
    wanted = _number(target)
    if wanted is None:
        return f"cannot compare with {_show(target)}"
    if not _is_number(actual) or abs(Decimal(str(actual)) - wanted) > margin:
        return f"expected a number within {tolerance:g} of {_show(target)}"
    return None
