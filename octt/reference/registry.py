"""Which charge points are connected to the reference CSMS right now.

Owns the map charge point id → its current `CentralSession`. A new connection for an id
replaces the older one; the older one's end must not remove its successor.
"""

from __future__ import annotations

from octt.reference.central import CentralSession


class Registry:
    """The connected charge points, by id."""

    def __init__(self) -> None:
        self._sessions: dict[str, CentralSession] = {}

    def attach(self, session: CentralSession) -> CentralSession | None:
        """Make `session` the current one for its charge point; returns the one it replaces."""
        previous = self._sessions.get(session.charge_point_id)
        self._sessions[session.charge_point_id] = session
        return previous if previous is not session else None

    def detach(self, session: CentralSession) -> None:
        """Forget `session`, unless a newer connection has already replaced it."""
        if self._sessions.get(session.charge_point_id) is session:
            del self._sessions[session.charge_point_id]

    def get(self, charge_point_id: str) -> CentralSession | None:
        return self._sessions.get(charge_point_id)

    def connected(self) -> list[str]:
        return sorted(self._sessions)

    def sessions(self) -> list[CentralSession]:
        return list(self._sessions.values())
