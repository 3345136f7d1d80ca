import json
import os
import signal
import subprocess
import sys
import unittest
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class MainTest(unittest.TestCase):
    """The real process: JSON logs on stdout, a clean exit on SIGTERM."""

    def start(self, **env: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "app"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(process.stdout.close)
        self.addCleanup(lambda: process.poll() is None and process.kill())
        return process

    def test_serves_logs_json_and_stops_on_sigterm(self) -> None:
        process = self.start(
            PORT="0", DATABASE_URL="postgres://u:s3cret@db/orders", GIT_COMMIT="3f9c2a1"
        )
        entries = []
        for line in process.stdout:
            self.assertNotIn("s3cret", line)
            entries.append(json.loads(line))
            if entries[-1]["msg"] == "listening":
                self.assertEqual(entries[-1]["database"], "configured")
                self.assertEqual(entries[-1]["version"], "3f9c2a1")
                url = f"http://127.0.0.1:{entries[-1]['port']}/healthz"
                with urllib.request.urlopen(url, timeout=5) as response:
                    self.assertEqual(response.status, 200)
                    self.assertEqual(json.load(response), {"status": "ok", "version": "3f9c2a1"})
                process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(timeout=15), 0)
        self.assertEqual([e["msg"] for e in entries], ["listening", "shutting down", "stopped"])
        self.assertTrue(all(e["level"] == "INFO" and "time" in e for e in entries))

    def test_a_bad_port_exits_1_with_a_json_error(self) -> None:
        process = self.start(PORT="eighty")
        entry = json.loads(process.stdout.readline())
        self.assertEqual(process.wait(timeout=15), 1)
        self.assertEqual(entry["level"], "ERROR")
        self.assertIn("PORT must be", entry["error"])


if __name__ == "__main__":
    unittest.main()
