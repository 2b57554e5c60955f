"""The sans-I/O OCPP-J session: pending calls, deadlines from an injected `now`, anomalies."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest

from octt.findings import Severity
from octt.ocppj.frames import Call, CallError, CallResult, parse
from octt.ocppj.session import (
    SPEC_FRAMES,
    SPEC_MESSAGE_ID,
    SPEC_SYNCHRONICITY,
    Anomaly,
    AnomalyKind,
    AnswerMalformed,
    CallReceived,
    CallTimedOut,
    ErrorReceived,
    ResultReceived,
    Session,
)


def ids(*values: str) -> Callable[[], str]:
    it: Iterator[str] = iter(values)
    return lambda: next(it)


def session(timeout: float = 10.0, *unique_ids: str) -> Session:
    return Session(response_timeout_s=timeout, id_factory=ids(*unique_ids) if unique_ids else None)


def only_anomaly(events: Sequence[object]) -> Anomaly:
    assert len(events) == 1, events
    event = events[0]
    assert isinstance(event, Anomaly)
    return event


# -- outgoing calls -----------------------------------------------------------------------------


def test_default_ids_count_up() -> None:
    s = session()
    first = s.prepare_call("Heartbeat", {}, now=0.0)
    s.receive(CallResult(first.call.unique_id, {}), now=0.1)
    second = s.prepare_call("Heartbeat", {}, now=0.2)
    assert (first.call.unique_id, second.call.unique_id) == ("octt-1", "octt-2")


def test_prepare_call_registers_the_pending_call_with_its_deadline() -> None:
    s = session(30.0, "u1")
    pending = s.prepare_call("Authorize", {"idTag": "T"}, now=100.0)
    assert pending.call == Call("u1", "Authorize", {"idTag": "T"})
    assert (pending.sent_at, pending.deadline) == (100.0, 130.0)
    assert s.pending is pending
    assert s.next_deadline() == 130.0


def test_per_call_timeout_overrides_the_session_timeout() -> None:
    s = session(30.0)
    assert s.prepare_call("Heartbeat", {}, now=5.0, timeout_s=2.5).deadline == 7.5


def test_prepare_call_while_one_is_pending_raises() -> None:
    s = session()
    s.prepare_call("BootNotification", {}, now=0.0)
    with pytest.raises(RuntimeError, match="BootNotification CALL is still awaiting its answer"):
        s.prepare_call("Heartbeat", {}, now=1.0)


def test_id_factory_repeats_are_skipped() -> None:
    s = session(10.0, "dup", "dup", "fresh")
    first = s.prepare_call("Heartbeat", {}, now=0.0)
    s.receive(CallResult("dup", {}), now=0.1)
    second = s.prepare_call("Heartbeat", {}, now=0.2)
    assert (first.call.unique_id, second.call.unique_id) == ("dup", "fresh")


def test_no_deadline_without_a_pending_call() -> None:
    s = session()
    assert s.pending is None
    assert s.next_deadline() is None
    assert s.expire(now=1e9) == []


# -- answers --------------------------------------------------------------------------------------


def test_call_result_matches_the_pending_call() -> None:
    s = session(10.0, "u1")
    pending = s.prepare_call("Heartbeat", {}, now=0.0)
    result = CallResult("u1", {"currentTime": "2026-01-01T00:00:00Z"})
    assert s.receive(result, now=1.0) == [ResultReceived(pending, result)]
    assert s.pending is None
    assert s.next_deadline() is None


def test_call_error_matches_the_pending_call() -> None:
    s = session(10.0, "u1")
    pending = s.prepare_call("Heartbeat", {}, now=0.0)
    error = CallError("u1", "InternalError", "boom", {})
    assert s.receive(error, now=1.0) == [ErrorReceived(pending, error)]
    assert s.pending is None


@pytest.mark.parametrize(
    ("frame", "kind"),
    [
        (CallResult("nope", {}), "CALLRESULT"),
        (CallError("nope", "GenericError", "", {}), "CALLERROR"),
    ],
)
def test_answer_with_an_unknown_unique_id_is_an_anomaly(
    frame: CallResult | CallError, kind: str
) -> None:
    s = session(10.0, "u1")
    s.prepare_call("Heartbeat", {}, now=0.0)
    anomaly = only_anomaly(s.receive(frame, now=1.0))
    assert anomaly.kind is AnomalyKind.UNKNOWN_UNIQUE_ID
    assert anomaly.unique_id == "nope"
    assert anomaly.detail == f"{kind} with unique id 'nope' answers no CALL we sent (awaiting 'u1')"
    # The real pending call is still waiting for its own answer.
    assert s.pending is not None and s.pending.call.unique_id == "u1"


def test_answer_when_nothing_is_pending_is_an_unknown_unique_id() -> None:
    anomaly = only_anomaly(session().receive(CallResult("x", {}), now=0.0))
    assert anomaly.kind is AnomalyKind.UNKNOWN_UNIQUE_ID
    assert "awaiting" not in anomaly.detail


def test_answer_to_a_call_the_csms_sent_is_an_unknown_unique_id() -> None:
    s = session()
    s.receive(Call("csms-1", "Reset", {"type": "Soft"}), now=0.0)
    anomaly = only_anomaly(s.receive(CallResult("csms-1", {}), now=0.1))
    assert anomaly.kind is AnomalyKind.UNKNOWN_UNIQUE_ID


def test_second_answer_is_a_duplicate_response() -> None:
    s = session(10.0, "u1")
    s.prepare_call("Authorize", {"idTag": "T"}, now=0.0)
    s.receive(CallResult("u1", {"idTagInfo": {"status": "Accepted"}}), now=0.5)
    anomaly = only_anomaly(s.receive(CallError("u1", "GenericError", "", {}), now=0.6))
    assert anomaly.kind is AnomalyKind.DUPLICATE_RESPONSE
    assert anomaly.action == "Authorize"
    assert anomaly.detail == "a second CALLERROR for the Authorize CALL 'u1'"


# -- deadlines ------------------------------------------------------------------------------------


def test_expire_before_the_deadline_does_nothing() -> None:
    s = session(10.0, "u1")
    s.prepare_call("Heartbeat", {}, now=100.0)
    assert s.expire(now=109.999) == []
    assert s.pending is not None


def test_expire_at_the_deadline_times_the_call_out() -> None:
    s = session(10.0, "u1")
    pending = s.prepare_call("Heartbeat", {}, now=100.0)
    assert s.expire(now=110.0) == [CallTimedOut(pending)]
    assert s.pending is None
    assert s.expire(now=200.0) == []  # only once


def test_late_response_after_expire_is_an_anomaly_and_then_a_duplicate() -> None:
    s = session(10.0, "u1", "u2")
    s.prepare_call("StartTransaction", {}, now=0.0)
    s.expire(now=10.0)
    anomaly = only_anomaly(s.receive(CallResult("u1", {}), now=12.25))
    assert anomaly.kind is AnomalyKind.LATE_RESPONSE
    assert anomaly.action == "StartTransaction"
    assert anomaly.unique_id == "u1"
    assert anomaly.detail == (
        "CALLRESULT for StartTransaction arrived 2.250 s after the response timeout"
    )
    again = only_anomaly(s.receive(CallResult("u1", {}), now=13.0))
    assert again.kind is AnomalyKind.DUPLICATE_RESPONSE


def test_a_new_call_may_be_sent_after_a_timeout_and_the_old_answer_is_still_late() -> None:
    s = session(10.0, "u1", "u2")
    s.prepare_call("Heartbeat", {}, now=0.0)
    s.expire(now=10.0)
    second = s.prepare_call("Heartbeat", {}, now=11.0)
    anomaly = only_anomaly(s.receive(CallResult("u1", {}), now=11.5))
    assert anomaly.kind is AnomalyKind.LATE_RESPONSE
    assert s.pending is second  # the late answer does not complete the new call
    result = CallResult("u2", {})
    assert s.receive(result, now=12.0) == [ResultReceived(second, result)]


def test_answer_before_expire_is_on_time_whatever_now_says() -> None:
    # The session judges lateness by expire(); the caller decides when to call it.
    s = session(10.0, "u1")
    pending = s.prepare_call("Heartbeat", {}, now=0.0)
    result = CallResult("u1", {})
    assert s.receive(result, now=50.0) == [ResultReceived(pending, result)]


# -- incoming calls -------------------------------------------------------------------------------


def test_incoming_call_is_received_and_tracked_until_answered() -> None:
    s = session()
    call = Call("c1", "GetConfiguration", {})
    assert s.receive(call, now=0.0) == [CallReceived(call)]
    assert s.unanswered_incoming() == (call,)
    assert s.prepare_result("c1", {"configurationKey": []}) == CallResult(
        "c1", {"configurationKey": []}
    )
    assert s.unanswered_incoming() == ()


def test_prepare_error_answers_the_incoming_call() -> None:
    s = session()
    s.receive(Call("c1", "Foo", {}), now=0.0)
    error = s.prepare_error("c1", "NotImplemented", "unknown action")
    assert error == CallError("c1", "NotImplemented", "unknown action", {})
    assert s.unanswered_incoming() == ()
    assert s.prepare_error("c2", "GenericError", "", {"a": 1}).error_details == {"a": 1}


def test_concurrent_call_from_the_csms_is_an_anomaly_but_still_received() -> None:
    s = session()
    s.receive(Call("c1", "Reset", {"type": "Soft"}), now=0.0)
    second = Call("c2", "ClearCache", {})
    events = s.receive(second, now=0.1)
    assert len(events) == 2
    anomaly, received = events
    assert isinstance(anomaly, Anomaly)
    assert anomaly.kind is AnomalyKind.CONCURRENT_CALL
    assert anomaly.unique_id == "c2"
    assert anomaly.detail == "the CSMS sent ClearCache while its Reset CALL was still unanswered"
    assert received == CallReceived(second)
    assert {c.unique_id for c in s.unanswered_incoming()} == {"c1", "c2"}


def test_calls_one_after_another_are_not_concurrent() -> None:
    s = session()
    s.receive(Call("c1", "Reset", {}), now=0.0)
    s.prepare_result("c1", {"status": "Accepted"})
    assert s.receive(Call("c2", "ClearCache", {}), now=0.1) == [
        CallReceived(Call("c2", "ClearCache", {}))
    ]


def test_reused_incoming_unique_id_is_an_anomaly() -> None:
    s = session()
    s.receive(Call("same", "Reset", {}), now=0.0)
    s.prepare_result("same", {"status": "Accepted"})
    again = Call("same", "ClearCache", {})
    events = s.receive(again, now=1.0)
    anomaly = events[0]
    assert isinstance(anomaly, Anomaly)
    assert anomaly.kind is AnomalyKind.REUSED_UNIQUE_ID
    assert anomaly.detail == "the CSMS reused unique id 'same' for a new ClearCache CALL"
    assert events[1:] == [CallReceived(again)]


def test_our_own_ids_may_equal_the_csms_ids() -> None:
    # OCPP-J §4.1.4: unique per sender; the CSMS may use an id we used.
    s = session(10.0, "x")
    s.prepare_call("Heartbeat", {}, now=0.0)
    s.receive(CallResult("x", {}), now=0.1)
    assert s.receive(Call("x", "Reset", {}), now=0.2) == [CallReceived(Call("x", "Reset", {}))]


def test_incoming_call_does_not_disturb_our_pending_call() -> None:
    s = session(10.0, "u1")
    pending = s.prepare_call("StatusNotification", {}, now=0.0)
    s.receive(Call("c1", "Reset", {}), now=0.1)
    result = CallResult("u1", {})
    assert s.receive(result, now=0.2) == [ResultReceived(pending, result)]


# -- malformed frames and findings --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ('[3,"u1",[]]', "a CALLRESULT payload must be a JSON object, got array"),
        ('[4,"u1","","boom",{}]', "ErrorCode must be a non-empty string, got ''"),
        ('[4,"u1","GenericError","boom",[]]', None),
    ],
)
def test_malformed_answer_to_the_pending_call_ends_it(text: str, detail: str | None) -> None:
    s = session(10.0, "u1")
    pending = s.prepare_call("Heartbeat", {}, now=0.0)
    events = s.receive(parse(text), now=0.1)
    assert len(events) == 2, events
    anomaly, answered = events
    assert isinstance(anomaly, Anomaly)
    assert anomaly.kind is AnomalyKind.MALFORMED
    assert anomaly.unique_id == "u1"
    if detail is not None:
        assert anomaly.detail == detail
    assert answered == AnswerMalformed(pending)
    # The CSMS answered, badly: the call is over, so no timeout follows.
    assert s.pending is None
    assert s.next_deadline() is None
    assert s.expire(now=100.0) == []


def test_answer_after_a_malformed_answer_is_a_duplicate_response() -> None:
    s = session(10.0, "u1")
    s.prepare_call("Heartbeat", {}, now=0.0)
    s.receive(parse('[3,"u1",[]]'), now=0.1)
    anomaly = only_anomaly(s.receive(CallResult("u1", {}), now=0.2))
    assert anomaly.kind is AnomalyKind.DUPLICATE_RESPONSE
    assert anomaly.detail == "a second CALLRESULT for the Heartbeat CALL 'u1'"


def test_a_new_call_may_be_sent_after_a_malformed_answer() -> None:
    s = session(10.0, "u1", "u2")
    s.prepare_call("Heartbeat", {}, now=0.0)
    s.receive(parse('[3,"u1",[]]'), now=0.1)
    second = s.prepare_call("Heartbeat", {}, now=0.2)
    result = CallResult("u2", {})
    assert s.receive(result, now=0.3) == [ResultReceived(second, result)]


@pytest.mark.parametrize(
    "text",
    [
        '[3,"other",[]]',  # another unique id
        '[4,"other","","x",{}]',
        '[2,"u1","Heartbeat",[]]',  # a broken CALL, even with the pending id
        '[9,"u1",{}]',  # not a valid MessageTypeId
        '[3,"",{}]',  # no unique id at all
        "[3,",  # not JSON
    ],
)
def test_other_malformed_frames_are_only_an_anomaly(text: str) -> None:
    s = session(10.0, "u1")
    pending = s.prepare_call("Heartbeat", {}, now=0.0)
    anomaly = only_anomaly(s.receive(parse(text), now=0.1))
    assert anomaly.kind is AnomalyKind.MALFORMED
    # The pending call still waits for its own answer, and times out without one.
    assert s.pending is pending
    assert s.expire(now=10.0) == [CallTimedOut(pending)]


def test_malformed_answer_when_nothing_is_pending_is_only_an_anomaly() -> None:
    s = session()
    anomaly = only_anomaly(s.receive(parse('[3,"u1",[]]'), now=0.0))
    assert anomaly.kind is AnomalyKind.MALFORMED
    assert anomaly.unique_id == "u1"


@pytest.mark.parametrize(
    ("kind", "rule", "spec"),
    [
        (AnomalyKind.MALFORMED, "ocppj.malformed-frame", SPEC_FRAMES),
        (AnomalyKind.UNKNOWN_UNIQUE_ID, "ocppj.unknown-unique-id", SPEC_MESSAGE_ID),
        (AnomalyKind.DUPLICATE_RESPONSE, "ocppj.duplicate-response", SPEC_MESSAGE_ID),
        (AnomalyKind.LATE_RESPONSE, "ocppj.late-response", SPEC_SYNCHRONICITY),
        (AnomalyKind.REUSED_UNIQUE_ID, "ocppj.reused-unique-id", SPEC_MESSAGE_ID),
        (AnomalyKind.CONCURRENT_CALL, "ocppj.concurrent-call", SPEC_SYNCHRONICITY),
    ],
)
def test_anomaly_becomes_an_error_finding(kind: AnomalyKind, rule: str, spec: str) -> None:
    finding = Anomaly(kind, "what happened", "u1").finding((4, 5))
    assert finding.rule == rule
    assert finding.spec == spec
    assert finding.severity is Severity.ERROR
    assert finding.message == "what happened"
    assert finding.frames == (4, 5)
    assert finding.step == ""


def test_every_anomaly_kind_has_a_rule() -> None:
    for kind in AnomalyKind:
        assert Anomaly(kind, "x").finding().rule.startswith("ocppj.")


def test_spec_references_name_the_ocppj_sections() -> None:
    assert SPEC_SYNCHRONICITY == "OCPP-J 1.6 §4.1.1"
    assert SPEC_MESSAGE_ID == "OCPP-J 1.6 §4.1.4"
    assert SPEC_FRAMES == "OCPP-J 1.6 §4.2"


def test_a_bounded_history_forgets_the_oldest_ids() -> None:
    s = Session(response_timeout_s=10, id_factory=ids("a", "b", "c"), history=2)
    for unique_id in ("a", "b", "c"):
        s.prepare_call("Heartbeat", {}, 0.0)
        [event] = s.receive(CallResult(unique_id, {}), 1.0)
        assert isinstance(event, ResultReceived)
    # "b" and "c" are remembered: a second answer is a duplicate; "a" is forgotten.
    assert only_anomaly(s.receive(CallResult("c", {}), 2.0)).kind is AnomalyKind.DUPLICATE_RESPONSE
    assert only_anomaly(s.receive(CallResult("a", {}), 2.0)).kind is AnomalyKind.UNKNOWN_UNIQUE_ID
    for n in range(3):
        s.receive(Call(f"csms-{n}", "ClearCache", {}), 3.0)
        s.prepare_result(f"csms-{n}", {"status": "Accepted"})
    reused = s.receive(Call("csms-0", "ClearCache", {}), 4.0)
    assert [type(e) for e in reused] == [CallReceived]  # forgotten: not reported as reused


def test_without_a_history_bound_every_id_is_remembered() -> None:
    s = Session(response_timeout_s=10, id_factory=ids(*(f"id-{n}" for n in range(200))))
    for n in range(200):
        s.prepare_call("Heartbeat", {}, 0.0)
        s.receive(CallResult(f"id-{n}", {}), 1.0)
    kind = only_anomaly(s.receive(CallResult("id-0", {}), 2.0)).kind
    assert kind is AnomalyKind.DUPLICATE_RESPONSE
