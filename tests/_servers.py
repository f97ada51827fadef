"""`assessment serve` as real processes for tests: started on a free port, waited for, stopped with its workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def served_form(workspace_path, log_dir: Path, workers: int = 2):
    """Run `assessment serve WS --workers N` until `/health` answers; yields (url, process). The server's
    output goes to log_dir/serve.log, shown in any failure while it starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = Path(log_dir) / "serve.log"
    log = open(log_path, "wb")
    process = subprocess.Popen([sys.executable, "-m", "assessment", "serve", str(workspace_path), "--port", str(port),
                                "--workers", str(workers)], stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        yield url, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
