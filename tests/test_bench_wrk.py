"""wrk's output read into the throughput report, and the check-in script it runs."""

import re
from decimal import Decimal

import pytest

from pacer.bench import throughput, wrk

OUTPUT = """Running 20s test @ http://127.0.0.1:33809/bench/noop
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.12ms  650.00us  20.01ms   90.00%
  Latency Distribution
     50%    4.09ms
     75%    4.50ms
     90%  970.00us
     99%    1.20s
  56919 requests in 20.01s, 10.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   2844.21
Transfer/sec:    512.00KB
"""


def test_wrk_output_is_read() -> None:
    found = wrk.parse(OUTPUT)
    assert found["requests"] == 56919 and found["errors"] == 3
    assert found["acknowledged"] == 56916
    assert found["requests_per_second"] == 2844.21
    assert (found["p50_ms"], found["p90_ms"], found["p99_ms"]) == (4.09, 0.97, 1200.0)


def test_output_that_is_not_wrks_is_refused() -> None:
    with pytest.raises(ValueError, match="not understood"):
        wrk.parse("command not found")


def test_the_checkin_script_spreads_values_over_the_key_results() -> None:
    script = wrk.checkin_script(
        [("k-1", Decimal(0), Decimal(10)), ("k-2", Decimal(5), Decimal(1))], "tok"
    )
    assert '"/api/v1/key-results/k-1/checkins", "/api/v1/key-results/k-2/checkins"' in script
    assert '\\"value\\": \\"0\\"' in script and '\\"value\\": \\"4.6\\"' in script
    assert 'wrk.headers["Authorization"] = "Bearer tok"' in script


def test_the_throughput_summary_sets_each_figure_beside_its_target() -> None:
    report = {
        "servers": 1,
        "workers_per_server": 2,
        "noop": {"requests_per_second": 5688.4},
        "checkins": {
            "requests_per_second": 174.0,
            "p50_ms": 97.1,
            "p99_ms": 144.0,
            "errors": 0,
            "shape": "spread",
            "key_results": 2000,
        },
        "checkins_hotspot": {
            "requests_per_second": 150.0,
            "p50_ms": 110.0,
            "p99_ms": 170.5,
            "errors": 1,
            "shape": "hotspot",
            "key_results": 6,
            "lock_waits": {
                "writer_queue": {"locks": 900, "waits": 812, "seconds": 11.1, "mean_ms": 12.33},
                "objective_lock": {"locks": 900, "waits": 0, "seconds": 0.8, "mean_ms": 0.9},
            },
        },
        "ratio": 0.0306,
    }
    lines = throughput.summary_table(report).splitlines()
    assert lines[0].split() == ["figure", "measured", "target"]
    rows = {name: rest for name, *rest in (re.split(r"\s{2,}", line) for line in lines[2:])}
    assert rows["no-op req/s per worker"] == ["2,844", ">= 2,856 (0.8x the peer's 3,570)"]
    assert rows["check-ins / no-op"] == ["3.1%", ">= 25%"]
    spread = "API check-ins/s per worker (spread, 2,000 KRs)"
    assert rows[spread] == ["87.0", ">= 284 (4x the peer's 71)"]
    assert rows["check-in p50 / p99 ms (spread)"] == ["97.1 / 144.0", "-"]
    assert rows["check-in errors (spread)"] == ["0", "0"]
    # The hot spot stands beside the targets, for comparison: the targets are the spread's.
    assert rows["API check-ins/s per worker (hotspot, 6 KRs)"] == ["75.0", "-"]
    assert rows["check-in p50 / p99 ms (hotspot)"] == ["110.0 / 170.5", "-"]
    assert rows["check-in errors (hotspot)"] == ["1", "0"]
    assert rows["writer queue, mean (hotspot)"] == ["812 of 900 waited, 12.33 ms", "-"]
    assert rows["objective lock, mean (hotspot)"] == ["0.90 ms", "-"]


def test_without_the_no_op_the_summary_has_the_check_ins_alone() -> None:
    report = {
        "servers": 2,
        "workers_per_server": 1,
        "checkins": {"requests_per_second": 90.0, "p50_ms": 40.0, "p95_ms": 80.0},
    }
    text = throughput.summary_table(report)
    assert "no-op" not in text and "45.0" in text and "40.0 / 80.0" in text
    assert "check-in p50 / p95 ms" in text
