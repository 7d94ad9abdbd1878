"""Load on a cached guide page: gunicorn on loopback, a keep-alive asyncio client, requests/s and latency.

    DATABASE_URL=sqlite:////tmp/publish_dev.sqlite3 python tests/benchmarks/guide_load.py [seconds] [connections]

The database must hold the demo catalogue with its index (load_demo; rebuild_search_index). Prints JSON.
The client runs on the same 2-core machine as the server, so the figure is a lower bound.
"""

import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("BENCH_PORT", "8765"))


async def worker(path, deadline, latencies, errors):
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".encode()
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(
            b"content-length"))
        await reader.readexactly(length)
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 200:
            errors.append(status)
        if b"connection: close" in head.lower():
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    writer.close()


async def load(path, seconds, connections):
    latencies, errors = [], []
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(*[worker(path, deadline, latencies, errors) for _ in range(connections)])
    return latencies, errors, time.perf_counter() - started


def main(seconds=15, connections=32):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2", "-k", "gthread",
         "--threads", "8", "--keep-alive", "30", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/departments/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        query = urllib.parse.quote("无犯罪记录证明")
        items = json.load(urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/items/?q={query}"))
        path = "/guide/" + urllib.request.quote(items["results"][0]["code"]) + "/"
        for _ in range(20):  # fill the page cache in both workers
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}")
        latencies, errors, elapsed = asyncio.run(load(path, seconds, connections))
        latencies.sort()
        print(json.dumps({
            "path": path, "seconds": round(elapsed, 1), "connections": connections, "requests": len(latencies),
            "errors": len(errors), "requests_per_second": round(len(latencies) / elapsed),
            "p50_ms": round(statistics.median(latencies), 1),
            "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 1),
        }))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
