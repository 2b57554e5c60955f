"""Validation: judging every OCPP-J frame against the OCPP 1.6 JSON schemas and the rules beyond.

* ``schemas`` — the schema set (from the pinned ``ocpp`` package, plus octt's errata overlay),
  its SHA-256 manifest, and schema violations.
* ``compiled`` — a fast yes/no pre-check compiled per schema; jsonschema explains a "no".
* ``formats`` — RFC 3339 date-time and URI checking.
* ``actions`` — the OCPP 1.6 actions and which side initiates each.
* ``rules`` — rules beyond the schema, as pure functions returning findings.
* ``frames`` — `FrameValidator`, which applies all of the above to a frame.
"""

from __future__ import annotations

from octt.validation.frames import FrameValidator
from octt.validation.schemas import SchemaLoadError, SchemaSet, SchemaViolation

__all__ = ["FrameValidator", "SchemaLoadError", "SchemaSet", "SchemaViolation"]
