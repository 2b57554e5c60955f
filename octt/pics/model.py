"""PICS model and loader (validated against schemas/pics.schema.json, errors as file:line)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from octt.yamldoc import load_document


class Profile(StrEnum):
    """Certification profiles: the names used on the command line, in PICS files and reports."""

    CORE = "core"
    FIRMWARE_MANAGEMENT = "firmware-management"
    LOCAL_AUTH_LIST_MANAGEMENT = "local-auth-list-management"
    RESERVATION = "reservation"
    SMART_CHARGING = "smart-charging"
    REMOTE_TRIGGER = "remote-trigger"
    SECURITY = "security"

    @property
    def display_name(self) -> str:
        return _TITLES[self]


_TITLES = {
    Profile.CORE: "Core",
    Profile.FIRMWARE_MANAGEMENT: "Firmware Management",
    Profile.LOCAL_AUTH_LIST_MANAGEMENT: "Local Authorization List Management",
    Profile.RESERVATION: "Reservation",
    Profile.SMART_CHARGING: "Smart Charging",
    Profile.REMOTE_TRIGGER: "Remote Trigger",
    Profile.SECURITY: "Security",
}


@dataclass(frozen=True)
class Sut:
    vendor: str
    product: str
    ocpp_software_version: str
    product_type: str = "Charging Station Management System"
    communication: str = "JSON"


@dataclass(frozen=True)
class Limits:
    response_timeout_s: float
    authorize_response_s: float


@dataclass(frozen=True)
class TestData:
    charge_point_id: str
    connector_id: int
    valid_id_tag: str
    invalid_id_tag: str
    charge_point_vendor: str = "octt"
    charge_point_model: str = "octt-sim"
    number_of_connectors: int = 2
    expired_id_tag: str | None = None
    blocked_id_tag: str | None = None
    parent_id_tag: str | None = None
    child_id_tags: tuple[str, ...] = ()
    unsupported_vendor_id: str | None = None
    # Reservation: the "Expiry Date Offset" — how far ahead a reservation's expiryDate lies
    # (seconds; TC_047 waits for it on the run's time scale).
    reservation_expiry_offset_s: int = 300
    # Local Auth List: an Accepted idTag, other than valid_id_tag, that TC_043_5's Differential
    # update adds to the list.
    local_list_id_tag: str | None = None


@dataclass(frozen=True)
class Pics:
    """A loaded PICS. `raw` is the document as written, for reports and template lookups."""

    sut: Sut
    profiles: frozenset[Profile]
    security_profiles: frozenset[int]
    additional_questions: Mapping[str, bool]
    features: Mapping[str, bool]
    limits: Limits
    test_data: TestData
    raw: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""

    def claims(self, profile: Profile) -> bool:
        if profile is Profile.SECURITY:
            return bool(self.security_profiles)
        return profile in self.profiles

    def lookup(self, dotted: str) -> Any:
        """A value of the PICS by dotted path (``profiles.reservation``; a number indexes a
        list: ``test_data.child_id_tags.1``); KeyError if absent."""
        return lookup_dotted(self.raw, dotted)


def lookup_dotted(document: Any, dotted: str) -> Any:
    """The value at a dotted path of a YAML/JSON document; KeyError if absent."""
    node: Any = document
    for part in dotted.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(dotted)
    return node


def pics_from_data(data: Mapping[str, Any], source: str = "") -> Pics:
    """Build a Pics from already-validated data."""
    td = dict(data["test_data"])
    td["child_id_tags"] = tuple(td.get("child_id_tags", ()))
    profiles = frozenset(Profile(name) for name, on in data["profiles"].items() if on)
    return Pics(
        sut=Sut(**data["sut"]),
        profiles=profiles,
        security_profiles=frozenset(data.get("security", {}).get("profiles", [])),
        additional_questions=dict(data.get("additional_questions", {})),
        features=dict(data.get("features", {})),
        limits=Limits(**data["limits"]),
        test_data=TestData(**td),
        raw=data,
        source=source,
    )


def load_pics(path: Path) -> Pics:
    """Load and validate a PICS file. Raises octt.yamldoc.DocumentError (file:line)."""
    document = load_document(path, "pics.schema.json")
    return pics_from_data(document.data, str(path))
