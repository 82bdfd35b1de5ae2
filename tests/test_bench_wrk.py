"""wrk's output read into the throughput report, and the check-in script it runs."""

from decimal import Decimal

import pytest

from pacer.bench import wrk

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
