"""The start form: its fields, and the RunConfig they make (the same RunConfig as `octt run`).

Owns `StartForm` (what the form sent, as text), `CHOICES` (the run options offered as a choice
of values — a new RunConfig option with a closed set of values is one more entry here) and
`to_config`, which returns the RunConfig or every problem with the form's values, each naming
its field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from octt.config import Ordering, RunConfig
from octt.pics.model import Profile


@dataclass(frozen=True)
class FormChoice:
    """A run option chosen from a closed set: the form's select, and the RunConfig field."""

    name: str  # the form field and the RunConfig field
    label: str
    options: tuple[str, ...]
    default: str
    convert: Callable[[str], Any] = str


CHOICES: tuple[FormChoice, ...] = (
    FormChoice(
        "ordering",
        "Order of messages that may come either way",
        tuple(o.value for o in Ordering),
        Ordering.DOCUMENTED.value,
        Ordering,
    ),
    FormChoice("security_profile", "Security profile", ("0", "1", "2", "3"), "0", int),
)

PROFILES = tuple(p for p in Profile)
OPERATORS = ("default", "prompt", "none", "trigger-api", "adapter")


@dataclass(frozen=True)
class StartForm:
    """The start form's fields as the browser sent them."""

    csms_url: str = ""
    pics: Path | None = None  # the saved or uploaded PICS chosen
    profiles: tuple[str, ...] = ()
    tests: str = ""
    operator: str = "default"  # default | prompt | none | trigger-api | adapter
    trigger_url: str = ""
    adapter: str = ""  # python:package.module:factory or an installed adapter's name
    operator_timeout: str = ""
    time_scale: str = ""
    basic_auth_password: str = field(default="", repr=False)
    no_tls_verify: bool = False
    # Files on the console's machine (paths relative to where it was started).
    pki_dir: str = ""
    tls_ca_file: str = ""
    tls_client_cert: str = ""
    tls_client_key: str = ""
    choices: Mapping[str, str] = field(default_factory=dict)


def _number(
    text: str, label: str, problems: list[str], *, upper: float | None = None
) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(f"{label}: not a number: {text!r}")
        return None
    if not value > 0 or (upper is not None and value > upper):
        bound = f"in (0, {upper:g}]" if upper is not None else "positive"
        problems.append(f"{label}: must be {bound}, got {text}")
        return None
    return value


def to_config(form: StartForm, base: RunConfig | None = None) -> RunConfig | list[str]:
    """The RunConfig the form asks for (on top of `base`), or every problem with it."""
    problems: list[str] = []
    profiles: list[Profile] = []
    for name in form.profiles:
        try:
            profiles.append(Profile(name))
        except ValueError:
            problems.append(f"profiles: unknown profile {name!r}")
    operator: str | None
    if form.operator == "default":
        operator = None
    elif form.operator in ("prompt", "none"):
        operator = form.operator
    elif form.operator == "trigger-api":
        operator = form.trigger_url.strip()
        if not operator.lower().startswith(("http://", "https://")):
            problems.append(f"trigger API URL: an http(s) URL, got {form.trigger_url!r}")
    elif form.operator == "adapter":
        # Checked (importable, a factory) as `octt run` checks --operator, by `prepare`.
        operator = form.adapter.strip()
        if not operator:
            problems.append("operator adapter: python:package.module:factory or an adapter's name")
    else:
        problems.append(
            f"operator: default, prompt, none, trigger-api or adapter, got {form.operator!r}"
        )
        operator = None
    csms_url = form.csms_url.strip() or None
    if csms_url is not None and not csms_url.startswith(("ws://", "wss://")):
        problems.append(f"CSMS URL: must be a ws:// or wss:// URL, got {csms_url!r}")
    if form.pics is None:
        problems.append("PICS: pick a saved PICS or upload one")
    timeout = _number(form.operator_timeout, "operator timeout", problems)
    time_scale = _number(form.time_scale, "time scale", problems, upper=1.0)
    chosen: dict[str, Any] = {}
    for choice in CHOICES:
        value = form.choices.get(choice.name, choice.default)
        if value not in choice.options:
            problems.append(f"{choice.label}: one of {', '.join(choice.options)}, got {value!r}")
            continue
        chosen[choice.name] = choice.convert(value)
    if problems:
        return problems
    config = (base or RunConfig()).with_overrides(
        csms_url=csms_url,
        pics_path=form.pics,
        profiles=tuple(profiles) or None,
        test_ids=tuple(split_tests(form.tests)) or None,
        operator=operator,
        operator_timeout_s=timeout,
        time_scale=time_scale,
        basic_auth_password=form.basic_auth_password or None,
        tls_verify=False if form.no_tls_verify else None,
        pki_dir=_path(form.pki_dir),
        tls_ca_file=_path(form.tls_ca_file),
        tls_client_cert=_path(form.tls_client_cert),
        tls_client_key=_path(form.tls_client_key),
        **chosen,
    )
    return config


def _path(text: str) -> Path | None:
    return Path(text.strip()) if text.strip() else None


def split_tests(text: str) -> Sequence[str]:
    """Case ids typed in one field, separated by spaces, commas or new lines."""
    return [part for part in re.split(r"[\s,;]+", text) if part]
