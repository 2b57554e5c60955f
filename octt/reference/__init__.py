"""The embedded reference CSMS: a real OCPP 1.6-J Central System built on the
`ocpp` library, with the trigger API of DESIGN.md and fault switches that make it non-conformant
on purpose, so that every octt test case can be shown to fail.

Modules: `server` (configuration, start/stop), `central` (one connection: handlers, triggered
calls), `control` (trigger API), `actions` (which calls the trigger API sends), `auth` (idTagInfo
decisions), `store` (SQLite state and seed), `link` and `wire` (outgoing frames, wire faults),
`registry` (connected charge points), `faults` (the fault switches), `files` (the firmware image
it serves and the diagnostics files it receives over HTTP).
"""

from __future__ import annotations

from octt.reference.faults import Fault, describe, parse_faults
from octt.reference.server import ReferenceConfig, ReferenceCsms, serve
from octt.reference.store import Seed, TokenRecord, TokenStatus, seed_from_pics

__all__ = [
    "Fault",
    "ReferenceConfig",
    "ReferenceCsms",
    "Seed",
    "TokenRecord",
    "TokenStatus",
    "describe",
    "parse_faults",
    "seed_from_pics",
    "serve",
]
