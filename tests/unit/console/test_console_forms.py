"""The start form: the RunConfig it makes, or every problem with it."""

from __future__ import annotations

from pathlib import Path

from octt.config import Ordering, RunConfig
from octt.console.forms import StartForm, split_tests, to_config
from octt.pics.model import Profile

PICS = Path("pics/reference-csms.yaml")


def test_the_form_makes_the_same_run_config_as_the_flags() -> None:
    form = StartForm(
        csms_url="ws://csms.example:9000/ocpp",
        pics=PICS,
        profiles=("core", "reservation"),
        tests="TC_061_CSMS, TC_021_CSMS\nTC_003_CSMS",
        operator="trigger-api",
        trigger_url="http://csms.example:8080",
        operator_timeout="45",
        time_scale="0.01",
        basic_auth_password="pw-123",
        no_tls_verify=True,
        pki_dir="lab/pki",
        tls_client_key=" lab/cp.key ",
        choices={"ordering": "swapped", "security_profile": "1"},
    )
    config = to_config(form, RunConfig(tls_client_key_password="from-env"))
    assert config == RunConfig(
        csms_url="ws://csms.example:9000/ocpp",
        pics_path=PICS,
        profiles=(Profile.CORE, Profile.RESERVATION),
        test_ids=("TC_061_CSMS", "TC_021_CSMS", "TC_003_CSMS"),
        operator="http://csms.example:8080",
        operator_timeout_s=45.0,
        time_scale=0.01,
        basic_auth_password="pw-123",
        tls_verify=False,
        pki_dir=Path("lab/pki"),
        tls_client_key=Path("lab/cp.key"),
        tls_client_key_password="from-env",
        ordering=Ordering.SWAPPED,
        security_profile=1,
    )


def test_defaults_leave_the_config_as_it_is() -> None:
    assert to_config(StartForm(pics=PICS)) == RunConfig(pics_path=PICS)
    # A password from the console's environment stays unless the form gives one.
    base = RunConfig(basic_auth_password="env-pw")
    config = to_config(StartForm(pics=PICS), base)
    assert isinstance(config, RunConfig) and config.basic_auth_password == "env-pw"


def test_every_problem_is_named() -> None:
    form = StartForm(
        csms_url="http://not-a-websocket",
        profiles=("core", "nonsense"),
        operator="trigger-api",
        trigger_url="ftp://x",
        operator_timeout="-3",
        time_scale="2",
        choices={"ordering": "sideways"},
    )
    problems = to_config(form)
    assert isinstance(problems, list)
    assert [p.split(":")[0] for p in problems] == [
        "profiles",
        "trigger API URL",
        "CSMS URL",
        "PICS",
        "operator timeout",
        "time scale",
        "Order of messages that may come either way",
    ]


def test_split_tests() -> None:
    assert split_tests(" a,b ;c\n d ") == ["a", "b", "c", "d"]


def test_an_operator_adapter_is_the_operator_value() -> None:
    from octt.resources import default_pics_path

    form = StartForm(
        pics=default_pics_path(), operator="adapter", adapter=" python:acme_adapter:make "
    )
    config = to_config(form)
    assert not isinstance(config, list)
    assert config.operator == "python:acme_adapter:make"
    empty = to_config(StartForm(pics=default_pics_path(), operator="adapter"))
    assert isinstance(empty, list)
    assert empty == ["operator adapter: python:package.module:factory or an adapter's name"]
