"""The benchmarks keep working: each runs once at a tiny size and prints its table.

Benchmarks never pass or fail on their figures; this only catches a benchmark that broke.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("bench_*.py"))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the benchmarks measure PostgreSQL: smoke-run once, in the PostgreSQL pass",
)
@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_runs_at_a_tiny_size(script):
    result = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--smoke", script],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "ratio" in result.stdout.lower() or "×" in result.stdout, result.stdout[-3000:]
