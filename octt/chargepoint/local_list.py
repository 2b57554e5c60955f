"""The simulated charge point's Local Authorization List (OCPP 1.6 §3.5.2, §5.10, §5.15).

A versioned list of idTags with their idTagInfo that only the Central System changes, through
SendLocalList: a Full update replaces the whole list, a Differential update adds, updates or
(an entry without idTagInfo) removes entries. GetLocalListVersion reports the version: 0 for an
empty list, -1 when the charge point has no local list at all (§5.10).

Limits (§9.2): SendLocalListMaxLength entries per request, LocalAuthListMaxLength entries
stored; LocalAuthListEnabled says whether the charge point *uses* the list to authorise — the
list is kept and updated either way.

Pure state and pure decisions: `judge` says what a charge point answers to an update without
changing anything, `apply` changes the list (called only once the answer is final).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from octt.chargepoint.model import ChargePointState

#: GetLocalListVersion.conf listVersion of a charge point without a local list (§5.10).
NOT_SUPPORTED_VERSION = -1
#: GetLocalListVersion.conf listVersion of an empty list (§5.10).
EMPTY_VERSION = 0


class UpdateType(StrEnum):
    """SendLocalList.req updateType (§7.42)."""

    FULL = "Full"
    DIFFERENTIAL = "Differential"


class UpdateStatus(StrEnum):
    """SendLocalList.conf status (§7.43)."""

    ACCEPTED = "Accepted"
    FAILED = "Failed"
    NOT_SUPPORTED = "NotSupported"
    VERSION_MISMATCH = "VersionMismatch"


@dataclass(frozen=True)
class Entry:
    """One AuthorizationData of a SendLocalList.req (§7.2); id_tag_info None = remove."""

    id_tag: str
    id_tag_info: Mapping[str, Any] | None


@dataclass(frozen=True)
class ListUpdate:
    """A SendLocalList.req, read from its JSON payload."""

    version: int
    update_type: UpdateType
    entries: tuple[Entry, ...]

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> ListUpdate | None:
        """The update the payload describes, or None if it is not a readable request."""
        version = payload.get("listVersion")
        if not isinstance(version, int) or isinstance(version, bool):
            return None
        try:
            update_type = UpdateType(str(payload.get("updateType")))
        except ValueError:
            return None
        raw_entries = payload.get("localAuthorizationList") or []
        if not isinstance(raw_entries, list):
            return None
        entries: list[Entry] = []
        for raw in raw_entries:
            if not isinstance(raw, Mapping) or not isinstance(raw.get("idTag"), str):
                return None
            info = raw.get("idTagInfo")
            entries.append(Entry(raw["idTag"], dict(info) if isinstance(info, Mapping) else None))
        return cls(version, update_type, tuple(entries))


def _key(id_tag: str) -> str:
    # IdToken is a CiString20Type: identifiers compare case-insensitively (§7.26 / §7.5).
    return id_tag.casefold()


@dataclass
class LocalAuthList:
    """The list as the charge point holds it."""

    supported: bool = True
    version: int = EMPTY_VERSION
    entries: dict[str, Entry] = field(default_factory=dict)

    def reported_version(self) -> int:
        """The listVersion of GetLocalListVersion.conf (§5.10)."""
        if not self.supported:
            return NOT_SUPPORTED_VERSION
        if not self.entries:
            return EMPTY_VERSION
        return self.version

    def lookup(self, id_tag: str) -> Mapping[str, Any] | None:
        """The idTagInfo the list holds for `id_tag`, if any."""
        entry = self.entries.get(_key(id_tag))
        return entry.id_tag_info if entry is not None else None

    def judge(
        self, update: ListUpdate | None, *, max_per_request: int, max_stored: int
    ) -> UpdateStatus:
        """The SendLocalList.conf status a conformant charge point gives (§5.15)."""
        if not self.supported:
            return UpdateStatus.NOT_SUPPORTED
        if update is None or len(update.entries) > max_per_request:
            return UpdateStatus.FAILED
        if update.update_type is UpdateType.FULL:
            # AuthorizationData.idTagInfo is required in a Full update (§7.2).
            if any(entry.id_tag_info is None for entry in update.entries):
                return UpdateStatus.FAILED
            stored = len({_key(entry.id_tag) for entry in update.entries})
        else:
            # A Differential update must bring the list to a newer version (§7.43).
            if update.version <= self.reported_version():
                return UpdateStatus.VERSION_MISMATCH
            stored = len(self._after_differential(update))
        return UpdateStatus.ACCEPTED if stored <= max_stored else UpdateStatus.FAILED

    def apply(self, update: ListUpdate) -> None:
        """Install an update the charge point accepted."""
        if update.update_type is UpdateType.FULL:
            self.entries = {_key(e.id_tag): e for e in update.entries if e.id_tag_info is not None}
        else:
            self.entries = self._after_differential(update)
        self.version = update.version

    def _after_differential(self, update: ListUpdate) -> dict[str, Entry]:
        entries = dict(self.entries)
        for entry in update.entries:
            if entry.id_tag_info is None:
                entries.pop(_key(entry.id_tag), None)
            else:
                entries[_key(entry.id_tag)] = entry
        return entries


# -- the charge point's answers (registered in octt.chargepoint.responder) ---------------------


def get_local_list_version_reply(
    state: ChargePointState, _payload: Mapping[str, Any]
) -> dict[str, Any]:
    """GetLocalListVersion.conf (§5.10)."""
    return {"listVersion": state.local_list.reported_version()}


def send_local_list_reply(state: ChargePointState, payload: Mapping[str, Any]) -> dict[str, Any]:
    """SendLocalList.conf (§5.15), within the limits of §9.2."""
    status = state.local_list.judge(
        ListUpdate.from_payload(payload),
        max_per_request=state.config.get_int("SendLocalListMaxLength"),
        max_stored=state.config.get_int("LocalAuthListMaxLength"),
    )
    return {"status": status.value}


def send_local_list_commit(
    state: ChargePointState, payload: Mapping[str, Any], reply: Mapping[str, Any]
) -> None:
    """Install the list once the charge point has answered Accepted."""
    update = ListUpdate.from_payload(payload)
    if reply.get("status") == UpdateStatus.ACCEPTED and update is not None:
        state.local_list.apply(update)
