"""Pre-flight of `octt run`: everything octt itself needs, checked before the first case.

A missing secret, missing PICS test data or a trigger API that does not answer is octt's
configuration problem, never the CSMS's failure: found here, every problem is reported at once
(each naming the flag, variable, file or PICS key to fix), the exit status is 2, and nothing is
sent to the CSMS. The checks:

- `--csms` without `--pics`: the run would describe somebody else's CSMS with the PICS of the
  embedded reference CSMS (its product name would go on the certificate).
- the secrets of every security profile the run connects with (the run's `--security-profile`,
  and against a CSMS under test every profile the PICS claims when a security case runs): the
  Basic-auth password for profiles 1 and 2, a wss:// endpoint, and a readable CA file for
  profiles 2 and 3, the client certificate and key (and an encrypted key's password) for 3;
- the PICS test data the selected cases need (`octt.catalog.needs`), all missing keys in one
  message, each with the cases that need it; `--allow-missing-test-data` lets the run go on
  with those cases `not_run` (which keeps their profiles from passing: no certificate);
- an http(s) `--operator` trigger API that does not answer at all (any HTTP answer will do);
- a `--report-dir` that is not a folder, or that holds a signed report (signature.json), which
  only `--overwrite` may replace (`octt.cli.evidence`).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import yaml

from octt.catalog.selection import RunPlan
from octt.config import RunConfig
from octt.pics.model import Pics
from octt.transport import tls

#: The Basic-auth password comes from the environment (or the config file), never from a flag,
#: so it stays out of shell histories and process listings.
PASSWORD_VARIABLE = "OCTT_BASIC_AUTH_PASSWORD"
#: The password of an encrypted client key (security profile 3), likewise.
TLS_KEY_PASSWORD_VARIABLE = "OCTT_TLS_CLIENT_KEY_PASSWORD"
ALLOW_MISSING_FLAG = "--allow-missing-test-data"
#: How long a trigger API may take to answer the pre-flight request.
TRIGGER_API_TIMEOUT_S = 5.0
#: Security whitepaper ed.3: profiles 1 and 2 authenticate with HTTP Basic, 2 and 3 use TLS,
#: 3 presents a client certificate.
_BASIC_AUTH = frozenset({1, 2})
_TLS = frozenset({2, 3})
#: At most this many case ids are named per line (then "and N more").
_IDS_SHOWN = 8


#: One thing octt needs and does not have, in words that say how to fix it.
Problem = str


def describe(problems: Sequence[Problem]) -> str:
    """One problem as it is; several as a list under one heading."""
    if len(problems) == 1:
        return problems[0]
    items = "".join(f"\n  - {p}" for p in problems)
    return (
        f"{len(problems)} problems stop the run before it starts (nothing was sent to the"
        f" CSMS):{items}"
    )


def _ids(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_IDS_SHOWN])
    return shown + (f" and {len(ids) - _IDS_SHOWN} more" if len(ids) > _IDS_SHOWN else "")


# -- the PICS ----------------------------------------------------------------------------------


def config_names_pics(path: Path | None) -> bool:
    """Whether a (valid, already loaded) run configuration file names a PICS."""
    if path is None:
        return False
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(data, dict) and "pics" in data


def pics_given(config: RunConfig, *, explicit: bool) -> list[Problem]:
    """`--csms` needs the PICS of that CSMS: the default one describes the reference CSMS."""
    if config.csms_url is None or explicit:
        return []
    return [
        f"--csms {config.csms_url} needs --pics FILE (or pics: in the --config file): the"
        " PICS of the CSMS under test, with its product, its claims and its test data (copy"
        " pics/example.yaml); without it octt would certify the embedded reference CSMS's"
        " claims and product name"
    ]


def test_data(plan: RunPlan, pics: Pics, *, allowed: bool) -> list[Problem]:
    """All the PICS test data the selected cases need and the PICS lacks, in one problem."""
    missing = plan.missing_test_data()
    if not missing or allowed:
        return []
    lines = "".join(f"\n      {key}: needed by {_ids(ids)}" for key, ids in missing.items())
    cases = len(plan.not_run)
    return [
        f"the PICS {pics.source or '(default)'} lacks test data that {cases}"
        f" selected case(s) need:{lines}\n    add it to the PICS test_data, or pass"
        f" {ALLOW_MISSING_FLAG} to run the other cases and report these as not_run"
        " (a run with a case not_run earns no certificate)"
    ]


# -- secrets of the security profiles ----------------------------------------------------------


def _profiles_in_use(config: RunConfig, pics: Pics, plan: RunPlan) -> dict[int, list[str]]:
    """Security profile -> the selected cases that connect with it ("every case" for the run's
    own --security-profile)."""
    used: dict[int, list[str]] = {}
    if config.csms_url is not None:
        for entry in plan.applicable:
            for profile in entry.case.security_profiles:
                if profile in pics.security_profiles:
                    used.setdefault(profile, []).append(entry.case.id)
    if config.security_profile:
        used[config.security_profile] = [
            f"every case (--security-profile {config.security_profile})"
        ]
    return used


def _needed_by(used: dict[int, list[str]], profiles: Sequence[int]) -> str:
    ids = list(dict.fromkeys(i for p in profiles for i in used.get(p, ())))
    return f"; needed by {_ids(ids)}" if ids else ""


def _readable(path: Path, what: str, source: str) -> Problem | None:
    if not path.is_file():
        return f"{source} {path}: no such file ({what})"
    return None


def secrets(config: RunConfig, pics: Pics | None, plan: RunPlan | None) -> list[Problem]:
    """What each security profile the run connects with needs (security whitepaper ed.3)."""
    used = (
        _profiles_in_use(config, pics, plan)
        if pics is not None and plan is not None
        else ({config.security_profile: []} if config.security_profile else {})
    )
    problems: list[Problem] = []
    basic = sorted(p for p in used if p in _BASIC_AUTH)
    if basic and not config.basic_auth_password:
        several = len(basic) > 1
        problems.append(
            f"security profile{'s' if several else ''} {' and '.join(map(str, basic))}"
            f" connect{'' if several else 's'} with HTTP Basic auth and no password is given: set"
            f" {PASSWORD_VARIABLE} (or basic_auth_password in the --config file) to the password"
            f" the CSMS holds for the charge point{_needed_by(used, basic)}"
        )
    with_pki = config.with_pki_defaults()
    if config.pki_dir is not None and not config.pki_dir.is_dir():
        problems.append(f"--pki {config.pki_dir}: no such folder (`octt pki init DIR`)")
    if config.csms_url is None:
        # The embedded reference CSMS gives the run its endpoints, test PKI and password.
        return problems
    tls_used = sorted(p for p in used if p in _TLS)
    for profile in tls_used:
        url = config.security_profile_urls.get(profile) or config.csms_url
        if not url.startswith("wss://"):
            problems.append(
                f"security profile {profile} needs a wss:// endpoint and {url} is not one:"
                f" --csms wss://…, or security_profile_urls: {{sp{profile}: wss://…}} in the"
                f" --config file{_needed_by(used, [profile])}"
            )
    if tls_used and config.tls_verify and with_pki.tls_ca_file is not None:
        source = "--tls-ca" if config.tls_ca_file is not None else "--pki"
        problem = _readable(with_pki.tls_ca_file, "the CSMS root CA to verify its server", source)
        if problem is None:
            try:
                ssl.create_default_context(cafile=str(with_pki.tls_ca_file))
            except (ssl.SSLError, OSError, ValueError) as exc:
                problem = f"{source} {with_pki.tls_ca_file}: not a PEM CA file ({exc})"
        if problem is not None:
            problems.append(problem)
    if 3 in used:
        problems.extend(_client_certificate(config, with_pki, _needed_by(used, [3])))
    return problems


def _client_certificate(config: RunConfig, with_pki: RunConfig, why: str) -> list[Problem]:
    cert, key = with_pki.tls_client_cert, with_pki.tls_client_key
    if cert is None or key is None:
        return [
            (
                "security profile 3 needs the charge point's client certificate and key:"
                f" --tls-client-cert FILE --tls-client-key FILE, or --pki DIR{why}"
            )
        ]
    flag = "--pki" if config.tls_client_cert is None else "--tls-client-cert"
    problems = [
        p
        for p in (
            _readable(cert, "the client certificate of security profile 3", flag),
            _readable(key, "the client key of security profile 3", flag.replace("cert", "key")),
        )
        if p is not None
    ]
    if problems:
        return problems
    password = config.tls_client_key_password
    try:
        tls.credential_from_files(cert, key, password=password.encode() if password else None)
    except TypeError:
        return [
            (f"the client key {key} is encrypted: set {TLS_KEY_PASSWORD_VARIABLE} to its password")
        ]
    except (ValueError, OSError) as exc:
        return [(f"the client key {key} cannot be read: {exc}")]
    return []


# -- the trigger API ---------------------------------------------------------------------------


async def trigger_api(
    operator: str | None, timeout_s: float = TRIGGER_API_TIMEOUT_S
) -> list[Problem]:
    """An http(s) operator's trigger API must answer (any HTTP status: the server is there)."""
    if operator is None or not operator.startswith(("http://", "https://")):
        return []
    base = operator.rstrip("/")
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_s)) as session,
            session.get(f"{base}/api/octt/1.6", allow_redirects=False) as response,
        ):
            await response.read()
    except TimeoutError:
        detail = f"no answer within {timeout_s:g} s"
    except (aiohttp.ClientError, ValueError) as exc:
        detail = str(exc) or type(exc).__name__
    else:
        return []
    return [
        (
            f"--operator {operator}: the trigger API does not answer ({detail}); start it, or"
            " choose --operator prompt or none"
        )
    ]


def run_trigger_api_check(operator: str | None) -> list[Problem]:
    """`trigger_api` from synchronous code (before the run's own event loop starts)."""
    if operator is None or not operator.startswith(("http://", "https://")):
        return []
    return asyncio.run(trigger_api(operator))


def check(
    config: RunConfig,
    pics: Pics | None,
    plan: RunPlan | None,
    *,
    explicit_pics: bool,
    allow_missing_test_data: bool,
) -> list[Problem]:
    """Every problem of the run's configuration, PICS, secrets, test data and trigger API."""
    problems = pics_given(config, explicit=explicit_pics)
    problems += secrets(config, pics, plan)
    if pics is not None and plan is not None:
        problems += test_data(plan, pics, allowed=allow_missing_test_data)
    problems += run_trigger_api_check(config.operator)
    return problems
