"""Which PICS test data a case needs, and which of it a PICS lacks.

A case needs the test-data keys its `requires` names (``test_data.expired_id_tag``) and every
test-data value its steps, its before-states and the states those run refer to by placeholder
(``{firmware_url}``, ``{pics.test_data.child_id_tags.1}``). A state step that runs only on one
security profile (``when: {security_profile: "1"}``) counts only when the case starts on that
profile; where the start profile depends on the run, it counts.

Missing test data is octt's configuration problem, never the CSMS's: `octt.catalog.selection`
turns a case that lacks some into ``not_run`` with the missing keys, and the pre-flight of
`octt run` reports them before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import fields
from typing import Any

from octt.catalog.model import Catalog, StateStep, Step, TestCase
from octt.pics.model import Pics, TestData, lookup_dotted

#: The PICS section the test data lives in.
TEST_DATA = "test_data"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")
_FIELDS = frozenset(TestData.__dataclass_fields__)
#: Scope names the engine derives from other test data (octt.engine.context.scope): the key
#: they need when they are used.
_DERIVED = {"child_id_tag": "child_id_tags.0"}
#: Test data with a fallback: when the key is absent the run uses the other one instead
#: (octt.engine.security.scope_values: an invalid signature is the valid one with a byte
#: changed).
_FALLBACK = {"invalid_firmware_signature": "firmware_signature"}
#: The keys that may stay absent because another stands in for them (`octt pics init`).
FALLBACKS = dict(_FALLBACK)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _key(name: str) -> str | None:
    """The test-data key (without the ``test_data.`` prefix) a placeholder name refers to."""
    if name.startswith(f"pics.{TEST_DATA}."):
        return name.removeprefix(f"pics.{TEST_DATA}.")
    if name in _DERIVED:
        return _DERIVED[name]
    if name in _FIELDS:
        return name
    return None


def _start_profile(case: TestCase, pics: Pics) -> int | None:
    """The security profile the case starts on, where the PICS alone decides it."""
    for profile in case.security_profiles:
        if profile in pics.security_profiles:
            return profile
    return None


def _runs(step: StateStep, profile: int | None) -> bool:
    """Whether a state step with a `when` condition runs (True when it cannot be told)."""
    if set(step.when) != {"security_profile"} or profile is None:
        return True
    return str(step.when["security_profile"]) == str(profile)


def referenced_keys(case: TestCase, catalog: Catalog, pics: Pics) -> tuple[str, ...]:
    """The test-data keys the case's placeholders refer to (states included), in order."""
    found: dict[str, None] = {}
    seen: set[str] = set()
    profile = _start_profile(case, pics)

    def scan(value: Any) -> None:
        for text in _strings(value):
            for name in _PLACEHOLDER.findall(text):
                key = _key(name)
                if key is not None:
                    found.setdefault(key)

    def walk(steps: Sequence[Step], before: Sequence[str]) -> None:
        names = [
            *before,
            *(s.name for s in steps if isinstance(s, StateStep) and _runs(s, profile)),
        ]
        for name in names:
            if name not in seen and name in catalog.states:
                seen.add(name)
                state = catalog.states[name]
                scan(dict(state.parameters))
                walk(state.steps, state.before)
        for step in steps:
            if isinstance(step, StateStep) and not _runs(step, profile):
                continue
            scan([getattr(step, f.name) for f in fields(step) if f.name != "location"])

    walk(case.steps, case.before)
    if case.charge_point_id is not None:
        scan(case.charge_point_id)
    return tuple(found)


def _present(pics: Pics, key: str) -> bool:
    if key in _FIELDS:
        value = getattr(pics.test_data, key)
    else:
        try:
            value = lookup_dotted(pics.raw, f"{TEST_DATA}.{key}")
        except KeyError:
            return False
    return value is not None and value != "" and value != () and value != []


def missing_test_data(case: TestCase, catalog: Catalog, pics: Pics) -> tuple[str, ...]:
    """The ``test_data.<key>`` entries the case needs and the PICS does not give (in order)."""
    needed: dict[str, None] = {}
    for requirement in case.requires:
        if requirement.pics.startswith(f"{TEST_DATA}."):
            needed.setdefault(requirement.pics.removeprefix(f"{TEST_DATA}."))
    for key in referenced_keys(case, catalog, pics):
        needed.setdefault(key)
    missing = []
    for key in needed:
        if _present(pics, key):
            continue
        fallback = _FALLBACK.get(key)
        if fallback is not None:
            if not _present(pics, fallback):
                missing.append(f"{TEST_DATA}.{fallback}")
            continue
        missing.append(f"{TEST_DATA}.{key}")
    return tuple(dict.fromkeys(missing))
