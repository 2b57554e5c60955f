"""The run configuration: how to reach and drive the CSMS, where to write, who the lab is.

Built from an optional YAML file (`--config`, checked against schemas/run-config.schema.json)
with command-line flags on top. Frozen; secrets are kept out of `repr`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from octt.catalog.editions import LATEST, Edition
from octt.pics.model import Profile
from octt.resources import default_pics_path
from octt.yamldoc import load_document

#: What the report shows as pki_dir for a temporary test PKI (`RunConfig.pki_temporary`).
TEMPORARY_PKI = "temporary test PKI of the embedded reference CSMS (removed after the run)"


class Ordering(StrEnum):
    """How the charge point orders messages the OCTT lets come in either order (OCA test case
    document, §1.2 general conventions)."""

    DOCUMENTED = "documented"
    SWAPPED = "swapped"


@dataclass(frozen=True)
class Signatory:
    """A person who signs the certificate's statement of approval (empty fields: blank lines)."""

    name: str = ""
    company: str = ""
    department: str = ""
    position: str = ""
    location: str = ""
    date: str = ""  # the date of signing as it should be printed; empty: written by hand

    def to_json(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class LabInfo:
    """Who issues the report: the test laboratory, its references, and the two signatories.

    Written into result.json (`lab`), so reports can be rendered again without the run config.
    """

    name: str = ""
    location: str = ""
    report_reference: str = ""
    certificate_number: str = ""
    vendor_signatory: Signatory = field(default_factory=Signatory)
    lab_signatory: Signatory = field(default_factory=Signatory)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "location": self.location,
            "report_reference": self.report_reference,
            "certificate_number": self.certificate_number,
            "vendor_signatory": self.vendor_signatory.to_json(),
            "lab_signatory": self.lab_signatory.to_json(),
        }


_SIGNATORY_FIELDS = frozenset(f.name for f in fields(Signatory))
_LAB_FIELDS = frozenset(f.name for f in fields(LabInfo))


def lab_from_data(data: Mapping[str, Any]) -> LabInfo:
    """A LabInfo from its JSON/YAML form (as in result.json or a run config); unknown keys
    are ignored, missing ones are empty."""

    def signatory(value: Any) -> Signatory:
        if not isinstance(value, Mapping):
            return Signatory()
        return Signatory(**{k: str(v) for k, v in value.items() if k in _SIGNATORY_FIELDS})

    values: dict[str, Any] = {
        k: str(v) for k, v in data.items() if k in _LAB_FIELDS and not isinstance(v, Mapping)
    }
    values["vendor_signatory"] = signatory(data.get("vendor_signatory"))
    values["lab_signatory"] = signatory(data.get("lab_signatory"))
    return LabInfo(**values)


@dataclass(frozen=True)
class RunConfig:
    csms_url: str | None = None  # None: start the embedded reference CSMS
    cp_id: str | None = None  # None: the PICS test data's charge_point_id
    pics_path: Path = field(default_factory=default_pics_path)
    profiles: tuple[Profile, ...] = ()
    test_ids: tuple[str, ...] = ()
    operator: str | None = None  # prompt | none | URL | python:m:f | name; None: the CLI's
    operator_timeout_s: float | None = None  # None: 30 s for an API, 180 s for a person
    security_profile: int = 0
    basic_auth_password: str | None = field(default=None, repr=False)
    report_dir: Path | None = None
    # Simulated waits (heartbeat interval, ConnectionTimeOut, offline periods) last
    # simulated seconds × time_scale in real time.
    time_scale: float = 0.001
    connect_timeout_s: float = 10.0
    # Reconnect like a charge point (README, "What a CSMS may do beside the script"): the pause
    # before a new connection after the previous one closed (scaled by time_scale where the
    # scenario prescribes the offline time instead); a refused or closed upgrade is retried
    # with back-off until connect_timeout_s.
    reconnect_pause_s: float = 1.0
    # The official tool's behaviour: any CALL the scenario does not expect fails the case.
    strict_unexpected_calls: bool = False
    # Bounds on what a CSMS can make octt hold or do, whatever it sends (see the README,
    # "A hostile CSMS"). A WebSocket message larger than max_frame_bytes closes the connection
    # (RFC 6455 close code 1009) without being buffered beyond that size.
    max_frame_bytes: int = 1 << 20
    # CALLs from the CSMS awaiting the charge point's answer on one connection (OCPP-J 1.6
    # §4.1.1 allows one); more is a flood: a finding, and octt closes the connection.
    max_unanswered_csms_calls: int = 8
    # Unsolicited input on one connection: CALLs from the CSMS, frames that answer no CALL of
    # the charge point (unparsable, unknown unique id, duplicates) and WebSocket pings. More
    # than max_unsolicited_frames within unsolicited_window_s is a flood: a finding, and octt
    # closes the connection.
    max_unsolicited_frames: int = 20
    unsolicited_window_s: float = 1.0
    # Robustness profile: how long to wait for the CSMS's answer to a deliberately broken
    # message before calling it unanswered (at most the PICS response timeout).
    robustness_answer_timeout_s: float = 5.0
    ordering: Ordering = Ordering.DOCUMENTED
    # The edition of the OCA test case document the run follows (its verdict is that
    # edition's checks), and whether advisories (checks no edition lists) fail cases too.
    edition: Edition = LATEST
    advisories_fail: bool = False
    # TLS of security profiles 2 and 3 (OCPP 1.6 security whitepaper ed.3): the CSMS's server
    # certificate is verified (against tls_ca_file, else the system's roots) unless tls_verify
    # is explicitly off, which the certificate shows.
    tls_verify: bool = True
    tls_ca_file: Path | None = None
    # The client certificate and key of security profile 3 (the key's password from the
    # environment, never from a file of the run).
    tls_client_cert: Path | None = None
    tls_client_key: Path | None = None
    tls_client_key_password: str | None = field(default=None, repr=False)
    # A test PKI made by `octt pki init` (its CSMS root and client certificate are the defaults
    # of the three above; its expired and wrong-CA client certificates serve TC_087; its
    # certificates fill {pki.<name>} in the PICS).
    pki_dir: Path | None = None
    # True when pki_dir is a temporary test PKI (the embedded reference CSMS's, removed after
    # the run): the report says so instead of naming a folder that no longer exists.
    pki_temporary: bool = False
    # The endpoint of each security profile for the security cases (default: csms_url).
    security_profile_urls: Mapping[int, str] = field(default_factory=dict)
    # Firmware Management (OCPP 1.6 §5.19, §5.9): whether the simulated charge point really
    # downloads the firmware and uploads its diagnostics when the CSMS gives an http(s) location
    # (None: the CLI decides — on for the embedded reference CSMS, off otherwise), and the bounds.
    real_transfers: bool | None = None
    transfer_max_bytes: int = 16 * 1024 * 1024
    transfer_timeout_s: float = 30.0
    lab: LabInfo = field(default_factory=LabInfo)

    def with_overrides(self, **changes: Any) -> RunConfig:
        """A copy with the given fields replaced; None values leave a field as it is."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def effective_operator_timeout_s(self, operator_mode: str) -> float:
        if self.operator_timeout_s is not None:
            return self.operator_timeout_s
        return 180.0 if operator_mode == "prompt" else 30.0

    def settings(self) -> dict[str, Any]:
        """The settings a report shows (no secrets)."""
        return {
            "time_scale": self.time_scale,
            "connect_timeout_s": self.connect_timeout_s,
            "reconnect_pause_s": self.reconnect_pause_s,
            "strict_unexpected_calls": self.strict_unexpected_calls,
            "max_frame_bytes": self.max_frame_bytes,
            "max_unanswered_csms_calls": self.max_unanswered_csms_calls,
            "max_unsolicited_frames": self.max_unsolicited_frames,
            "unsolicited_window_s": self.unsolicited_window_s,
            "robustness_answer_timeout_s": self.robustness_answer_timeout_s,
            "ordering": self.ordering.value,
            "edition": self.edition.value,
            "advisories_fail": self.advisories_fail,
            "tls_verify": self.tls_verify,
            "real_transfers": bool(self.real_transfers),
            "security_profile": self.security_profile,
            "basic_auth": self.basic_auth_password is not None,
            # TLS material and the endpoints of the security profiles, where the run has them;
            # files by name only: the evidence holds no path of this machine.
            **{
                name: TEMPORARY_PKI if name == "pki_dir" and self.pki_temporary else path.name
                for name, path in (
                    ("tls_ca_file", self.tls_ca_file),
                    ("tls_client_cert", self.tls_client_cert),
                    ("pki_dir", self.pki_dir),
                )
                if path is not None
            },
            **(
                {
                    "security_profile_urls": {
                        f"sp{k}": v for k, v in sorted(self.security_profile_urls.items())
                    }
                }
                if self.security_profile_urls
                else {}
            ),
        }

    def with_pki_defaults(self) -> RunConfig:
        """The TLS files of `pki_dir` where none are named: its CSMS root as the trust anchor,
        its client certificate and key for security profile 3."""
        if self.pki_dir is None:
            return self
        pki = self.pki_dir
        return replace(
            self,
            tls_ca_file=self.tls_ca_file or pki / "csms-root-ca.pem",
            tls_client_cert=self.tls_client_cert or pki / "cp-client.pem",
            tls_client_key=self.tls_client_key or pki / "cp-client.key",
        )


_SIMPLE = {f.name for f in fields(RunConfig)} - {
    "lab",
    "pics_path",
    "report_dir",
    "profiles",
    "tls_ca_file",
    "tls_client_cert",
    "tls_client_key",
    "tls_client_key_password",
    "pki_dir",
    "pki_temporary",
    "security_profile_urls",
}
_PATHS = ("tls_ca_file", "tls_client_cert", "tls_client_key", "pki_dir")


def load_run_config(path: Path) -> RunConfig:
    """A RunConfig from a YAML file; raises octt.yamldoc.DocumentError (file:line)."""
    document = load_document(path, "run-config.schema.json")
    data = dict(document.data)
    values: dict[str, Any] = {k: v for k, v in data.items() if k in _SIMPLE}
    base = path.parent
    if "pics" in data:
        values["pics_path"] = (base / data["pics"]).resolve()
    if "report_dir" in data:
        values["report_dir"] = (base / data["report_dir"]).resolve()
    if "profiles" in data:
        values["profiles"] = tuple(Profile(p) for p in data["profiles"])
    if "test_ids" in data:
        values["test_ids"] = tuple(data["test_ids"])
    if "ordering" in data:
        values["ordering"] = Ordering(data["ordering"])
    if "edition" in data:
        values["edition"] = Edition(data["edition"])
    if "lab" in data:
        values["lab"] = lab_from_data(data["lab"])
    for name in _PATHS:
        if name in data:
            values[name] = (base / data[name]).resolve()
    if "security_profile_urls" in data:
        values["security_profile_urls"] = {
            int(key.removeprefix("sp")): url for key, url in data["security_profile_urls"].items()
        }
    return RunConfig(**values)
