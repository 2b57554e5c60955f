"""The OCPP 1.6 JSON schema set that judges every payload, and its fingerprint.

This module owns:

* loading the OCPP 1.6 message schemas (including the Security Whitepaper messages) from the
  installed, pinned ``ocpp`` package (``ocpp/v16/schemas``), never from a copy in this repository;
* octt's errata overlay: RFC 6902 JSON Patch files under ``schemas/ocpp16-errata/`` that correct
  known errors of those schemas, each documented in that folder's README.md;
* the manifest (file name -> SHA-256 of its bytes, overlay files included) and one SHA-256 over it,
  recorded in every result so a report says exactly which schemas judged the CSMS;
* validation: one validator per schema, built once per process, returning `SchemaViolation`
  values (JSON pointer, human message, failing keyword).

Validation semantics:

* Each file is validated with the dialect it declares in ``$schema``. The 56 core OCPP 1.6 files
  declare draft-04; the 22 Security Whitepaper files declare draft-06. The keywords they use behave
  the same in both, except what an ``integer`` is: draft-04 (Core §3.5) "a JSON number without a
  fraction or exponent part", so ``1.0`` and ``1e2`` are not integers; draft-06 (Core §4.2) "any
  number with a zero fractional part", so ``1.0`` is one. Booleans are never
  numbers (jsonschema's type checkers).
* Fractions are `Decimal` (payloads come from ``octt.ocppj.frames.load_json``; the schemas are
  loaded with ``parse_float=Decimal`` too) and ``multipleOf`` is judged exactly: 12.3 is a multiple
  of 0.1, 12.34 is not, with no binary floating-point error and no failure on huge exponents.
  Python floats (payloads built in code) are judged by their shortest repr, i.e. what goes on the
  wire.
* ``format`` is asserted for ``date-time`` (RFC 3339, see ``octt.validation.formats``) and ``uri``
  (loosely); the OCPP 1.6 schemas use no other format.
* ``required`` and ``additionalProperties`` report the pointer of the missing or extra member
  (``/idTagInfo/status``), one violation per member, rather than the enclosing object.
* Speed: a valid payload is recognised by a pre-check compiled once per schema
  (``octt.validation.compiled``); jsonschema runs only to explain an invalid one.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.resources
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, cast

# types-jsonschema is a test extra; without it jsonschema is untyped (hence the ignore).
import jsonschema  # type: ignore[import-untyped, unused-ignore]

from octt.resources import data_path
from octt.validation import compiled, formats

ERRATA_DIR: Final = "schemas/ocpp16-errata"
PACKAGE_SCHEMAS: Final = "ocpp/v16/schemas"
# At most this many violations are collected per payload: enough to describe any real mistake,
# bounded for a hostile payload with thousands of bad array items.
MAX_VIOLATIONS: Final = 100

_DRAFT4: Final = "http://json-schema.org/draft-04/schema"
_DRAFT6: Final = "http://json-schema.org/draft-06/schema"


class SchemaLoadError(Exception):
    """The schema set cannot be built: a broken overlay, a schema without its pair, an unknown
    ``$schema`` dialect. Always a configuration problem, never a finding about the CSMS."""


@dataclass(frozen=True)
class SchemaViolation:
    """One way a payload breaks its schema."""

    path: str  # JSON pointer of the offending (or missing) value, "" = the payload itself
    message: str  # e.g. "'Acepted' is not one of Accepted, Blocked, Expired, Invalid, ConcurrentTx"
    keyword: str  # the schema keyword that failed: type, required, enum, format, maxLength, ...


@dataclass(frozen=True)
class Erratum:
    """One overlay file: which schema it corrects, and why."""

    file: str  # manifest name, e.g. "ocpp16-errata/StopTransaction-unit-Hertz.json"
    schema: str  # the corrected file, e.g. "StopTransaction.json"
    title: str
    reference: str


# -- values in messages ----------------------------------------------------------------------


def show(value: object, limit: int = 48) -> str:
    """A JSON value as it appears in a message: strings quoted, numbers as on the wire."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        text = repr(value)
        return text if len(text) <= limit else text[: limit - 4] + "...'"
    if isinstance(value, int | Decimal):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _pointer(parts: Iterator[str | int] | Sequence[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


# -- exact multipleOf --------------------------------------------------------------------------


def _exact(number: int | float | Decimal) -> Decimal:
    if isinstance(number, Decimal):
        return number
    if isinstance(number, float):
        return Decimal(repr(number))
    return Decimal(number)


def is_multiple_of(value: int | float | Decimal, step: int | float | Decimal) -> bool:
    """Exact decimal ``multipleOf``: is `value` / `step` an integer?

    Works on coefficients and exponents, so ``1E+999999`` or ``1E-999999`` cost nothing and never
    overflow a decimal context.
    """
    if not isinstance(value, int | float | Decimal) or not isinstance(step, int | float | Decimal):
        return False
    v, s = _exact(value), _exact(step)
    if not (v.is_finite() and s.is_finite()) or s == 0:
        return False
    if v == 0:
        return True
    v_digits, v_exp = v.as_tuple()[1:]
    s_digits, s_exp = s.as_tuple()[1:]
    a = int("".join(map(str, v_digits)))
    b = int("".join(map(str, s_digits)))
    # value / step = (a / b) * 10**k
    k = cast(int, v_exp) - cast(int, s_exp)
    if k >= 0:
        return (a % b) * pow(10, k, b) % b == 0
    if -k > len(v_digits):  # b * 10**-k > a: cannot divide a non-zero a
        return False
    scale: int = 10**-k
    return a % (b * scale) == 0


# -- keyword implementations -----------------------------------------------------------------

_Keyword = Callable[[Any, Any, Any, Mapping[str, Any]], Iterator[Any]]


def _multiple_of(
    validator: Any, step: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[Any]:
    if not validator.is_type(instance, "number"):
        return
    if not is_multiple_of(instance, step):
        yield jsonschema.ValidationError(f"{show(instance)} is not a multiple of {show(step)}")


def _required(
    validator: Any, required: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for name in required:
        if name not in instance:
            yield jsonschema.ValidationError(f"required property {name!r} is missing", path=(name,))


def _additional_properties(
    validator: Any, allowed: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extras = [
        name
        for name in instance
        if name not in known and not any(re.search(p, name) for p in patterns)
    ]
    if validator.is_type(allowed, "object"):
        for name in extras:
            yield from validator.descend(instance[name], allowed, path=name)
    elif allowed is False:
        for name in extras:
            yield jsonschema.ValidationError(f"property {name!r} is not allowed", path=(name,))


def _draft6_is_integer(checker: Any, instance: object) -> bool:
    # Draft-06: any number with a zero fractional part. bool is not a number.
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        return True
    if isinstance(instance, Decimal):
        return bool(instance.is_finite() and instance == instance.to_integral_value())
    if isinstance(instance, float):
        return instance.is_integer()
    return False


_KEYWORDS: Final[dict[str, _Keyword]] = {
    "multipleOf": _multiple_of,
    "required": _required,
    "additionalProperties": _additional_properties,
}

# `extend` is unannotated even in the stubs.
_extend: Any = jsonschema.validators.extend
_Draft4: Final = _extend(jsonschema.Draft4Validator, _KEYWORDS)
_Draft6: Final = _extend(
    jsonschema.Draft6Validator,
    _KEYWORDS,
    type_checker=jsonschema.Draft6Validator.TYPE_CHECKER.redefine("integer", _draft6_is_integer),
)


_FORMAT_CHECKS: Final[dict[str, compiled.Check]] = {
    "date-time": formats.is_date_time,
    "uri": formats.is_uri,
}


def _format_checker() -> Any:
    checker = jsonschema.FormatChecker(formats=())
    for name, check in _FORMAT_CHECKS.items():
        checker.checks(name)(check)
    return checker


_FORMAT_NAMES: Final = {"date-time": "an RFC 3339 date-time", "uri": "an absolute URI"}


def _violation(error: Any) -> SchemaViolation:
    keyword = str(error.validator)
    instance = error.instance
    expected = error.validator_value
    path = _pointer(error.absolute_path)
    if keyword == "type":
        types = [expected] if isinstance(expected, str) else list(expected)
        message = f"{show(instance)} is not of type {', '.join(repr(t) for t in types)}"
    elif keyword == "enum":
        message = f"{show(instance)} is not one of {', '.join(str(e) for e in expected)}"
    elif keyword == "maxLength":
        message = f"{show(instance)} is too long: {len(instance)} characters, at most {expected}"
    elif keyword == "minLength":
        message = f"{show(instance)} is too short: {len(instance)} characters, at least {expected}"
    elif keyword == "minItems":
        message = f"array has {len(instance)} items, at least {expected} required"
    elif keyword == "maxItems":
        message = f"array has {len(instance)} items, at most {expected} allowed"
    elif keyword == "format":
        message = f"{show(instance)} is not {_FORMAT_NAMES.get(expected, repr(expected))}"
    else:
        message = str(error.message)
    return SchemaViolation(path, message, keyword)


# -- RFC 6902 JSON Patch (the subset the overlay needs) ---------------------------------------


def _tokens(pointer: object, where: str) -> list[str]:
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise SchemaLoadError(f"{where}: {pointer!r} is not a JSON pointer (RFC 6901)")
    if not pointer:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(container: list[Any], token: str, where: str, *, end_ok: bool = False) -> int:
    if token == "-" and end_ok:
        return len(container)
    if not re.fullmatch(r"0|[1-9][0-9]*", token):
        raise SchemaLoadError(f"{where}: {token!r} is not an array index")
    index = int(token)
    if index > len(container) or (index == len(container) and not end_ok):
        raise SchemaLoadError(f"{where}: array index {index} is out of range")
    return index


def _resolve(doc: Any, tokens: list[str], where: str) -> Any:
    node = doc
    for token in tokens:
        if isinstance(node, dict):
            if token not in node:
                raise SchemaLoadError(f"{where}: no member {token!r}")
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, where)]
        else:
            raise SchemaLoadError(f"{where}: cannot descend into {show(node)}")
    return node


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | Decimal) and isinstance(b, int | Decimal):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


def apply_json_patch(doc: Any, operations: Any, where: str) -> Any:
    """Apply RFC 6902 operations ``add``, ``remove``, ``replace`` and ``test`` to `doc` (modified
    in place where possible); returns the patched document. Raises SchemaLoadError."""
    if not isinstance(operations, list):
        raise SchemaLoadError(f"{where}: 'patch' must be an array of RFC 6902 operations")
    for number, op in enumerate(operations):
        here = f"{where}: patch operation {number}"
        if not isinstance(op, dict) or not isinstance(op.get("op"), str) or "path" not in op:
            raise SchemaLoadError(f"{here}: needs 'op' and 'path'")
        kind, tokens = op["op"], _tokens(op["path"], here)
        if kind in ("add", "replace", "test") and "value" not in op:
            raise SchemaLoadError(f"{here}: '{kind}' needs a 'value'")
        if kind == "test":
            found = _resolve(doc, tokens, here)
            if not _json_equal(found, op["value"]):
                raise SchemaLoadError(
                    f"{here}: test at {op['path']!r} failed: found {show(found)}, expected "
                    f"{show(op['value'])} (has the pinned ocpp package changed?)"
                )
        elif kind in ("add", "replace", "remove"):
            if not tokens:
                if kind == "remove":
                    raise SchemaLoadError(f"{here}: cannot remove the whole document")
                doc = op["value"]
                continue
            parent = _resolve(doc, tokens[:-1], here)
            last = tokens[-1]
            if isinstance(parent, dict):
                if kind != "add" and last not in parent:
                    raise SchemaLoadError(f"{here}: no member {last!r} to {kind}")
                if kind == "remove":
                    del parent[last]
                else:
                    parent[last] = op["value"]
            elif isinstance(parent, list):
                index = _index(parent, last, here, end_ok=kind == "add")
                if kind == "add":
                    parent.insert(index, op["value"])
                elif kind == "replace":
                    parent[index] = op["value"]
                else:
                    del parent[index]
            else:
                raise SchemaLoadError(f"{here}: cannot {kind} inside {show(parent)}")
        else:
            raise SchemaLoadError(f"{here}: unsupported op {kind!r} (add, remove, replace, test)")
    return doc


_OVERLAY_KEYS: Final = {"schema", "title", "reference", "rationale", "patch"}
_OVERLAY_REQUIRED: Final = ("schema", "title", "reference", "patch")


def _read_overlay(name: str, data: bytes) -> tuple[str, str, str, Any]:
    try:
        overlay = json.loads(data.decode("utf-8"), parse_float=Decimal)
    except ValueError as exc:
        raise SchemaLoadError(f"{name}: not valid JSON: {exc}") from exc
    if not isinstance(overlay, dict):
        raise SchemaLoadError(f"{name}: an overlay file is a JSON object")
    unknown = sorted(set(overlay) - _OVERLAY_KEYS)
    missing = [k for k in _OVERLAY_REQUIRED if k not in overlay]
    if unknown or missing:
        raise SchemaLoadError(f"{name}: unknown keys {unknown}, missing keys {missing}")
    for key in ("schema", "title", "reference"):
        if not isinstance(overlay[key], str) or not overlay[key]:
            raise SchemaLoadError(f"{name}: {key!r} must be a non-empty string")
    return overlay["schema"], overlay["title"], overlay["reference"], overlay["patch"]


# -- date-time locations -----------------------------------------------------------------------

# A path into a payload; None stands for "every item of an array".
_Pattern = tuple[str | None, ...]


def _date_time_patterns(node: Any, root: Mapping[str, Any], prefix: _Pattern) -> list[_Pattern]:
    if not isinstance(node, dict):
        return []
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        return _date_time_patterns(_resolve(root, _tokens(ref[1:], "$ref"), "$ref"), root, prefix)
    found: list[_Pattern] = [prefix] if node.get("format") == "date-time" else []
    for name, sub in node.get("properties", {}).items():
        found += _date_time_patterns(sub, root, (*prefix, name))
    if isinstance(node.get("items"), dict):
        found += _date_time_patterns(node["items"], root, (*prefix, None))
    return found


def _values_at(value: Any, pattern: _Pattern, at: str) -> Iterator[tuple[str, Any]]:
    if not pattern:
        yield at, value
        return
    step, rest = pattern[0], pattern[1:]
    if step is None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from _values_at(item, rest, f"{at}/{i}")
    elif isinstance(value, dict) and step in value:
        yield from _values_at(value[step], rest, at + _pointer((step,)))


# -- the schema set ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    file: str
    validator: Any
    fast: compiled.Check | None  # yes/no pre-check; jsonschema explains a "no"
    date_times: tuple[_Pattern, ...]
    errata: tuple[str, ...]  # manifest names of the overlay files that changed this schema

    def violations(self, payload: Any) -> list[SchemaViolation]:
        if self.fast is not None:
            try:
                if self.fast(payload):
                    return []
            except Exception:  # an odd value (not from JSON): let jsonschema judge it
                pass
        found: list[SchemaViolation] = []
        for error in self.validator.iter_errors(payload):
            found.append(_violation(error))
            if len(found) >= MAX_VIOLATIONS:
                break
        return found


def _draft4_is_integer(instance: object) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def _dialect(doc: Mapping[str, Any], name: str) -> tuple[Any, compiled.Check]:
    """The validator class for the dialect `doc` declares, and its notion of an integer."""
    dialect = str(doc.get("$schema", "")).rstrip("#")
    if dialect == _DRAFT4:
        return _Draft4, _draft4_is_integer
    if dialect == _DRAFT6:
        return _Draft6, lambda value: _draft6_is_integer(None, value)
    raise SchemaLoadError(f"{name}: unsupported $schema {doc.get('$schema')!r}")


@dataclass(frozen=True, eq=False)
class SchemaSet:
    """The loaded OCPP 1.6 schemas. Two sets are equal when their manifests are."""

    source: str  # e.g. "ocpp 2.1.0: ocpp/v16/schemas (+ octt errata overlay: 1 file)"
    sha256: str  # SHA-256 of `manifest_text()`
    manifest: Mapping[str, str]  # file name -> SHA-256 of its bytes, overlay files included
    errata: tuple[Erratum, ...] = ()
    _requests: Mapping[str, _Compiled] = field(default_factory=dict, repr=False)
    _responses: Mapping[str, _Compiled] = field(default_factory=dict, repr=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SchemaSet) and other.sha256 == self.sha256

    def __hash__(self) -> int:
        return hash(self.sha256)

    @classmethod
    def load(cls, overlay_dir: Path | str | None = None) -> SchemaSet:
        """The schemas of the installed ``ocpp`` package plus the errata overlay.

        `overlay_dir` defaults to octt's ``schemas/ocpp16-errata``; pass an empty folder for the
        package's schemas unchanged. Cached per process and folder. Raises SchemaLoadError.
        """
        folder = Path(overlay_dir) if overlay_dir is not None else data_path(ERRATA_DIR)
        return _load_cached(str(folder.resolve()))

    def has_action(self, action: str) -> bool:
        return action in self._requests

    def actions(self) -> frozenset[str]:
        return frozenset(self._requests)

    def request_errors(self, action: str, payload: Mapping[str, Any]) -> list[SchemaViolation]:
        """Violations of ``<action>.json``; [] when valid. KeyError if unknown."""
        return self._get(self._requests, action).violations(payload)

    def response_errors(self, action: str, payload: Mapping[str, Any]) -> list[SchemaViolation]:
        """Violations of ``<action>Response.json``; [] when valid. KeyError if unknown."""
        return self._get(self._responses, action).violations(payload)

    def request_schema(self, action: str) -> Mapping[str, Any]:
        """The schema document of ``<action>.json`` (errata applied), to derive payloads from
        (the robustness generator). Not to be modified. KeyError if unknown."""
        schema: Mapping[str, Any] = self._get(self._requests, action).validator.schema
        return schema

    def schema_file(self, action: str, *, response: bool = False) -> str:
        """The file that judges `action`'s request (or response), e.g. "BootNotification.json"."""
        return self._get(self._responses if response else self._requests, action).file

    def spec_reference(self, action: str, *, response: bool = False) -> str:
        """What a schema finding cites, e.g. "OCPP 1.6 JSON schema BootNotificationResponse.json"
        (naming the octt erratum when one changed that file)."""
        compiled = self._get(self._responses if response else self._requests, action)
        text = f"OCPP 1.6 JSON schema {compiled.file}"
        if compiled.errata:
            text += f" (with octt erratum {', '.join(compiled.errata)})"
        return text

    def date_time_values(
        self, action: str, payload: Mapping[str, Any], *, response: bool = False
    ) -> list[tuple[str, str]]:
        """(JSON pointer, string) for every value of `payload` at a ``format: date-time``
        position of its schema, valid or not."""
        compiled = self._get(self._responses if response else self._requests, action)
        return [
            (pointer, value)
            for pattern in compiled.date_times
            for pointer, value in _values_at(payload, pattern, "")
            if isinstance(value, str)
        ]

    def manifest_text(self) -> str:
        """The manifest in ``sha256sum`` format, sorted by name: what `sha256` is the hash of."""
        return "".join(f"{self.manifest[name]}  {name}\n" for name in sorted(self.manifest))

    @staticmethod
    def _get(table: Mapping[str, _Compiled], action: str) -> _Compiled:
        try:
            return table[action]
        except KeyError:
            raise KeyError(f"no OCPP 1.6 schema for action {action!r}") from None


def _package_files() -> dict[str, bytes]:
    folder = importlib.resources.files("ocpp.v16").joinpath("schemas")
    return {
        entry.name: entry.read_bytes()
        for entry in folder.iterdir()
        if entry.name.endswith(".json") and entry.is_file()
    }


def _package_version() -> str:
    try:
        return importlib.metadata.version("ocpp")
    except importlib.metadata.PackageNotFoundError:
        return "unknown version"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def _load_cached(overlay_dir: str) -> SchemaSet:
    return _load(Path(overlay_dir))


def _load(overlay_dir: Path) -> SchemaSet:
    files = _package_files()
    if not files:
        raise SchemaLoadError(f"no schemas found in the installed ocpp package ({PACKAGE_SCHEMAS})")
    manifest = {name: _sha256(data) for name, data in files.items()}
    docs = {
        name: json.loads(data.decode("utf-8"), parse_float=Decimal) for name, data in files.items()
    }

    errata: list[Erratum] = []
    changed: dict[str, list[str]] = {}
    overlays = sorted(overlay_dir.glob("*.json")) if overlay_dir.is_dir() else []
    for path in overlays:
        data = path.read_bytes()
        name = f"{overlay_dir.name}/{path.name}"
        manifest[name] = _sha256(data)
        schema, title, reference, patch = _read_overlay(name, data)
        if schema not in docs:
            raise SchemaLoadError(f"{name}: corrects {schema!r}, which the ocpp package lacks")
        docs[schema] = apply_json_patch(docs[schema], patch, name)
        errata.append(Erratum(name, schema, title, reference))
        changed.setdefault(schema, []).append(name)

    checker = _format_checker()
    requests: dict[str, _Compiled] = {}
    responses: dict[str, _Compiled] = {}
    for name, doc in sorted(docs.items()):
        if not isinstance(doc, dict):
            raise SchemaLoadError(f"{name}: a schema must be a JSON object")
        validator_class, is_integer = _dialect(doc, name)
        try:
            validator_class.check_schema(doc)
        except jsonschema.exceptions.SchemaError as exc:
            raise SchemaLoadError(f"{name}: not a valid schema: {exc.message}") from exc
        entry = _Compiled(
            name,
            validator_class(doc, format_checker=checker),
            compiled.compile_schema(
                doc,
                is_integer=is_integer,
                formats=_FORMAT_CHECKS,
                is_multiple_of=is_multiple_of,
            ),
            tuple(_date_time_patterns(doc, doc, ())),
            tuple(changed.get(name, ())),
        )
        stem = name.removesuffix(".json")
        if stem.endswith("Response"):
            responses[stem.removesuffix("Response")] = entry
        else:
            requests[stem] = entry
    unpaired = sorted(set(requests) ^ set(responses))
    if unpaired:
        raise SchemaLoadError(f"actions without both a request and a response schema: {unpaired}")

    manifest_text = "".join(f"{manifest[name]}  {name}\n" for name in sorted(manifest))
    source = f"ocpp {_package_version()}: {PACKAGE_SCHEMAS}"
    if errata:
        source += f" (+ octt errata overlay: {len(errata)} file{'s' if len(errata) > 1 else ''})"
    return SchemaSet(
        source=source,
        sha256=_sha256(manifest_text.encode("utf-8")),
        manifest=MappingProxyType(manifest),
        errata=tuple(errata),
        _requests=MappingProxyType(requests),
        _responses=MappingProxyType(responses),
    )
