"""System readings against SystemConfig thresholds, on the real machine and a real local server."""

from __future__ import annotations

import base64
import dataclasses
import http.server
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from dbguard.config import SystemConfig
from dbguard.findings import Severity, classify_above
from dbguard.rules.system import disk_finding, health_url_finding, memory_finding
from dbguard.system import CpuWindow, disk_usage, existing_ancestor, memory_usage, probe_url


def test_thresholds_are_strictly_above() -> None:
    assert classify_above(80.0, 80, 90) is Severity.OK
    assert classify_above(80.1, 80, 90) is Severity.WARNING
    assert classify_above(90.0, 80, 90) is Severity.WARNING
    assert classify_above(90.1, 80, 90) is Severity.CRITICAL


def test_disk_over_critical_threshold_is_critical_with_remediation(tmp_path: Path) -> None:
    config = SystemConfig(disk_warning_percent=0.0, disk_critical_percent=0.0)
    usage = disk_usage(tmp_path)
    finding = disk_finding("db", usage.percent, usage.free_bytes, str(usage.path), config)
    assert usage.percent > 0
    assert finding.severity is Severity.CRITICAL
    assert "prune backups" in finding.remediation


def test_backup_folder_that_does_not_exist_yet_is_measured_on_its_volume(tmp_path: Path) -> None:
    missing = tmp_path / "not" / "yet" / "backups"
    assert existing_ancestor(missing) == tmp_path
    usage = disk_usage(missing)
    finding = disk_finding(
        "backups", usage.percent, usage.free_bytes, str(usage.path), SystemConfig()
    )
    assert usage.path == tmp_path
    assert finding.severity in (Severity.OK, Severity.WARNING, Severity.CRITICAL)


def test_memory_within_generous_thresholds_is_ok() -> None:
    memory = memory_usage()
    finding = memory_finding(
        memory.percent,
        memory.available_bytes,
        SystemConfig(memory_warning_percent=100, memory_critical_percent=100),
    )
    assert 0 < memory.percent <= 100
    assert finding.severity is Severity.OK


def test_probe_times_a_real_local_server() -> None:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(503 if self.path == "/down" else 200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        up = probe_url(f"{base}/health", timeout=5)
        down = probe_url(f"{base}/down", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert up.ok and up.status == 200 and up.seconds < 5
    assert not down.ok and down.status == 503


def test_probe_sends_url_credentials_as_basic_auth_and_masks_them() -> None:
    seen: list[str | None] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization"))
            expected = "Basic " + base64.b64encode(b"user:s3cret").decode()
            self.send_response(200 if self.headers.get("Authorization") == expected else 401)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        probe = probe_url(f"http://user:s3cret@127.0.0.1:{port}/health?token=abc123", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert probe.ok and probe.status == 200, probe
    assert len(seen) == 1
    assert "s3cret" not in probe.url and "abc123" not in probe.url


def test_failed_requests_turn_critical_after_three_in_a_row() -> None:
    config = SystemConfig()
    url = "http://app/health"
    assert health_url_finding(url, 0.01, "refused", 0, config, 3).severity is Severity.WARNING
    assert health_url_finding(url, 0.01, "refused", 2, config, 3).severity is Severity.CRITICAL


def test_answer_slower_than_critical_is_critical() -> None:
    config = dataclasses.replace(SystemConfig(), response_critical_seconds=5.0)
    finding = health_url_finding("http://app/health", 5.5, "", 0, config, 3)
    assert finding.severity is Severity.CRITICAL


def test_cpu_window_counts_other_processes_but_not_its_own_work() -> None:
    """Against psutil's own readings over the same window, so other load on the machine
    (the whole team's tests share two cores) cannot make it fail: the spinner's work is in,
    this process's busy loop is out."""
    me = psutil.Process()
    window = CpuWindow()
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:  # this process busy too: must not be counted
            pass
        spinner_seconds = sum(psutil.Process(spinner.pid).cpu_times()[:2])
        percent = window.percent()
    finally:
        spinner.kill()
        spinner.wait()
    capacity = (time.monotonic() - window._started) * (psutil.cpu_count() or 1)
    own_seconds = sum(me.cpu_times()[:2]) - window._own
    # The spinner ran meanwhile: its share is counted (allow for its start-up).
    assert percent >= spinner_seconds / capacity * 100 * 0.7
    # This process spun for a second: at most the rest of the machine is counted.
    assert percent <= 100 - own_seconds / capacity * 100 * 0.7
