"""octt: an open conformance test harness for OCPP 1.6-J Central Systems."""

from __future__ import annotations

__version__ = "0.1.0"
