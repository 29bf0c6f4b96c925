"""The app served by gunicorn on loopback, a trivial view beside it, and a bounded load
generator: what the benchmarks that measure a served page share (bench_verify, bench_pages).

`serve(...)` writes a settings module and a URL module (the app's URLs plus
`/bench/trivial/`, a Django view returning "ok" through the same middleware stack) to a
temporary folder and starts gunicorn with 2 sync workers on it; `load(...)` drives it with
threads in this process, one connection per request (sync workers close them), for a
number of seconds or of requests, and returns requests/s and latency percentiles.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench_search import percentile

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL_PATH = "/bench/trivial/"

_SETTINGS = """from entezam.config.settings import *  # noqa: F401,F403
ROOT_URLCONF = "{urls}"
"""
# No collectstatic for a benchmark that serves no page: static URLs without the manifest.
_PLAIN_STATIC = """STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""
_URLS = """from django.http import HttpResponse
from django.urls import path

from entezam.config.urls import urlpatterns as entezam_patterns


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), *entezam_patterns]
"""


@dataclass
class Server:
    process: subprocess.Popen
    folder: tempfile.TemporaryDirectory
    port: int

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.folder.cleanup()


def serve(
    url: str,
    *,
    port: int,
    name: str,
    env: dict[str, str] | None = None,
    manifest_static: bool = False,
    workers: int = 2,
    extra_settings: str = "",
) -> Server:
    """Start gunicorn on 127.0.0.1:`port` over database `url`; modules are named after
    `name` (`<name>_settings`, `<name>_urls`). With `manifest_static`, pages link the
    hashed files `collectstatic` wrote, as the deployed app does; `extra_settings` is
    Python appended to the settings module."""
    folder = tempfile.TemporaryDirectory(prefix=f"entezam-{name.replace('_', '-')}-")
    settings = _SETTINGS.format(urls=f"{name}_urls") + ("" if manifest_static else _PLAIN_STATIC)
    settings += extra_settings
    Path(folder.name, f"{name}_settings.py").write_text(settings)
    Path(folder.name, f"{name}_urls.py").write_text(_URLS)
    process_env = {
        **os.environ,
        "PYTHONPATH": f"{folder.name}{os.pathsep}{ROOT / 'src'}",
        "DJANGO_SETTINGS_MODULE": f"{name}_settings",
        "ENTEZAM_DATABASE_URL": url,
        "ENTEZAM_DEBUG": "false",
        "ENTEZAM_ALLOWED_HOSTS": "127.0.0.1,localhost",
        **(env or {}),
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "entezam.config.wsgi:application",
        ],
        env=process_env,
    )
    server = Server(process, folder, port)
    for _ in range(100):
        try:
            get(port, TRIVIAL_PATH)
            return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise SystemExit("gunicorn did not start")


def get(
    port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, float]:
    """One GET on a new connection: (status, seconds from connecting to the last byte)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, time.perf_counter() - started


def load(
    port: int,
    paths: list[str],
    *,
    threads: int,
    seconds: float | None = None,
    requests: int | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> dict:
    """`threads` clients cycling through `paths` until `seconds` pass or `requests` are
    made in all: requests/s, p50/p95/p99 in ms and the count of each HTTP status."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds if seconds is not None else None
    remaining = [requests if requests is not None else -1]

    def more() -> bool:
        if deadline is not None:
            return time.perf_counter() < deadline
        with lock:
            remaining[0] -= 1
            return remaining[0] >= 0

    def worker(offset: int) -> None:
        index = offset
        mine, codes = [], {}
        while more():
            status, elapsed = get(port, paths[index % len(paths)], headers, timeout)
            index += threads
            mine.append(elapsed)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50": percentile(latencies, 0.50) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "statuses": statuses,
    }


_WRK_SCRIPT = """local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
%s
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("entezam-percentiles %%d %%d %%d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def have_wrk() -> bool:
    import shutil

    return shutil.which("wrk") is not None


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def load_wrk(
    port: int,
    paths: list[str],
    *,
    seconds: float,
    connections: int = 8,
    headers: dict[str, str] | None = None,
) -> dict:
    """wrk (a C load generator, 2 threads) cycling through `paths` for `seconds`, sending
    `headers` (a session cookie, say): it takes far less of the machine's CPU than the
    threaded client, so on a small machine the server, not the client, is what is
    measured. Returns what `load` returns (p50/p95/p99 from wrk's own histogram);
    statuses are {"2xx/3xx": n, "other": n} (wrk counts no more)."""
    import re

    header_lines = "\n".join(
        f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}"
        for name, value in (headers or {}).items()
    )
    with tempfile.TemporaryDirectory(prefix="entezam-wrk-") as folder:
        listing = Path(folder, "paths.txt")
        listing.write_text("".join(f"{p}\n" for p in paths))
        script = Path(folder, "paths.lua")
        script.write_text(_WRK_SCRIPT % (listing, header_lines))
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--latency",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}/",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    found = re.search(r"^entezam-percentiles (\d+) (\d+) (\d+)$", out, re.M)
    p50, p95, p99 = (int(v) / 1000 for v in found.groups()) if found else [float("nan")] * 3
    total = int(re.search(r"(\d+) requests in", out).group(1))
    other = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    other_count = int(other.group(1)) if other else 0
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "statuses": {"2xx/3xx": total - other_count, "other": other_count},
    }
