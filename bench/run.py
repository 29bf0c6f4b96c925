"""Run every benchmark in bench/ and print their tables (ratios, never pass/fail).

.venv/bin/python bench/run.py            # full sizes (minutes; PostgreSQL recommended)
.venv/bin/python bench/run.py --smoke    # tiny sizes: checks the benchmarks still run
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHMARKS = {
    "bench_import.py": (
        ["--rows", "100000", "--memory-sizes", "100000,1000000"],
        ["--rows", "1000", "--memory-sizes", "1000,2000", "--existing", "5000"],
    ),
    "bench_search.py": (
        ["--people", "1000000"],
        ["--people", "2000", "--queries", "20", "--scan-sample", "5"],
    ),
    "bench_screening.py": (["--applications", "100000"], ["--applications", "200"]),
    "bench_pages.py": (
        ["--people", "100000"],
        [
            *("--people", "2000", "--institutions", "40"),
            *("--requests", "3", "--seconds", "1", "--table-only"),
        ],
    ),
    "bench_classify.py": (["--texts", "20000"], ["--texts", "300", "--batch", "100"]),
    "bench_verify.py": (
        ["--cards", "1000000"],
        ["--cards", "200", "--seconds", "2", "--threads", "2"],
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes")
    parser.add_argument("only", nargs="*", help="benchmark file names to run")
    args = parser.parse_args()
    failures = 0
    for name, (full, smoke) in BENCHMARKS.items():
        if args.only and name not in args.only:
            continue
        script = HERE / name
        print(f"\n##### {name} #####", flush=True)
        status = subprocess.call([sys.executable, str(script), *(smoke if args.smoke else full)])
        failures += status != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
