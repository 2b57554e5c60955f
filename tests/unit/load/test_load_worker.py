"""Worker helpers: the file-descriptor limit raised only as far as needed, resident memory,
garbage-collector pauses."""

from __future__ import annotations

import gc
import multiprocessing
import resource
import threading
import time

from octt.load.worker import GcWatch, StartLine, raise_fd_limit, resident_bytes


def test_enough_descriptors_leave_the_limit_alone() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = raise_fd_limit(16)
    assert (limit.soft_before, limit.soft, limit.hard, limit.needed) == (soft, soft, hard, 16)


def test_the_soft_limit_is_raised_up_to_the_hard_one() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowered = 256
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowered, hard))
    try:
        limit = raise_fd_limit(lowered + 10)
        assert (limit.soft_before, limit.soft) == (lowered, lowered + 10)
        beyond = raise_fd_limit(hard + 1) if hard != resource.RLIM_INFINITY else None
        # As far as the hard limit, or past it where the process may raise that (root).
        assert beyond is None or beyond.soft in (hard, hard + 1)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_resident_memory_is_measured() -> None:
    assert resident_bytes() > 1 << 20


def test_gc_pauses_are_watched() -> None:
    watch = GcWatch().install()
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(watch)
    figures = watch.to_json()
    assert figures["full_collections"] >= 1
    assert figures["max_pause_s"] >= 0 and figures["total_s"] >= figures["max_pause_s"]


def test_gc_pauses_are_handed_out_once() -> None:
    watch = GcWatch().install()
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(watch)
    pauses = watch.take_pauses()
    assert pauses and all(p >= 0 for p in pauses)
    assert watch.take_pauses() == ()


def test_the_ramp_up_starts_when_every_worker_is_ready() -> None:
    context = multiprocessing.get_context("spawn")
    line = StartLine(context, 2)
    starts: list[float] = []
    workers = [threading.Thread(target=lambda: starts.append(line.ready(10))) for _ in range(2)]
    for thread in workers:
        thread.start()
    before = time.monotonic()
    start = line.release(10, 0.2)
    for thread in workers:
        thread.join(10)
    assert starts == [start, start] and start >= before + 0.2


def test_a_worker_that_cannot_run_does_not_hold_up_the_start() -> None:
    line = StartLine(multiprocessing.get_context("spawn"), 2)
    line.abort()  # as worker_main does when it fails before it is ready
    before = time.monotonic()
    line.release(30, 0.0)
    assert time.monotonic() - before < 10  # far below the 30 s it would otherwise wait
