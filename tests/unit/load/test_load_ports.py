"""The worker's own choice of local ports: the machine's range without its reserved ports, each
worker starting in its own stretch; ports handed out in turn, a taken one skipped and tried
again last, a closed connection's port reused last; the kernel chooses when none binds."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from net_support import unbound_ports

from octt.load import ports as ports_module
from octt.load.ports import (
    BIND_TRIES,
    BoundPort,
    SourcePorts,
    parse_port_range,
    parse_reserved_ports,
)


@pytest.fixture
def sock() -> Iterator[socket.socket]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        yield s


def test_the_range_is_two_port_numbers() -> None:
    assert parse_port_range("32768\t60999\n") == (32768, 60999)
    for text in ("32768", "1 2 3", "60999 32768", "0 10", "1 70000", "a b"):
        with pytest.raises(ValueError):
            parse_port_range(text)


def test_reserved_ports_are_a_list_of_ports_and_ranges() -> None:
    assert parse_reserved_ports("\n") == frozenset()
    assert parse_reserved_ports("8080,9000-9002\n") == {8080, 9000, 9001, 9002}
    with pytest.raises(ValueError):
        parse_reserved_ports("80x")


@pytest.mark.skipif(sys.platform != "linux", reason="the range is read from Linux's /proc")
def test_each_worker_starts_in_its_own_stretch_of_the_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "range").write_text("40000 40009\n")
    (tmp_path / "reserved").write_text("40002-40003\n")
    monkeypatch.setattr(ports_module, "PORT_RANGE_FILE", tmp_path / "range")
    monkeypatch.setattr(ports_module, "RESERVED_PORTS_FILE", tmp_path / "reserved")
    first = SourcePorts.for_this_machine(0, 2)
    second = SourcePorts.for_this_machine(1, 2)
    assert first is not None and second is not None
    assert list(first._free) == [40000, 40001, 40004, 40005, 40006, 40007, 40008, 40009]
    assert list(second._free) == [40006, 40007, 40008, 40009, 40000, 40001, 40004, 40005]


@pytest.mark.skipif(sys.platform != "linux", reason="the range is read from Linux's /proc")
def test_an_unreadable_range_leaves_the_choice_to_the_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ports_module, "PORT_RANGE_FILE", tmp_path / "missing")
    assert SourcePorts.for_this_machine() is None
    (tmp_path / "range").write_text("garbage\n")
    monkeypatch.setattr(ports_module, "PORT_RANGE_FILE", tmp_path / "range")
    assert SourcePorts.for_this_machine() is None


def test_ports_are_handed_out_in_turn_and_come_back_last(sock: socket.socket) -> None:
    a, b, c = unbound_ports(3)
    ports = SourcePorts([a, b, c])
    assert ports.bind(sock) == BoundPort(ports, a)
    assert sock.getsockname()[1] == a
    ports.give_back(a)
    assert list(ports._free) == [b, c, a]


def test_a_port_someone_holds_is_skipped_and_tried_again_last(sock: socket.socket) -> None:
    a, b = unbound_ports(2)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", a))
        ports = SourcePorts([a, b])
        assert ports.bind(sock) == BoundPort(ports, b)
        assert list(ports._free) == [a]


def test_the_kernel_chooses_when_no_port_binds(sock: socket.socket) -> None:
    holders = [socket.socket() for _ in range(BIND_TRIES + 1)]
    try:
        for holder in holders:
            holder.bind(("127.0.0.1", 0))
        held = [holder.getsockname()[1] for holder in holders]
        ports = SourcePorts(held)
        assert ports.bind(sock) is None  # gave up after BIND_TRIES, the socket is unbound
        assert sock.getsockname()[1] == 0
        assert list(ports._free) == [held[-1], *held[:-1]]  # BIND_TRIES tried, all kept
    finally:
        for holder in holders:
            holder.close()
    assert SourcePorts([]).bind(sock) is None


def test_other_bind_errors_are_raised(sock: socket.socket) -> None:
    (a,) = unbound_ports(1)
    sock.bind(("127.0.0.1", 0))  # already bound: EINVAL
    ports = SourcePorts([a])
    with pytest.raises(OSError):
        ports.bind(sock)
    assert list(ports._free) == [a]
