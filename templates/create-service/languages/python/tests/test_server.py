import json
import threading
import unittest
import urllib.error
import urllib.request

from app import SERVICE_NAME
from app.config import Config
from app.metrics import Metrics
from app.server import Handler, Server

# Port 9 on loopback: nothing listens, so the database is unreachable, fast.
SECRET_URL = "postgres://orders:s3cret@127.0.0.1:9/orders"


class ServerTest(unittest.TestCase):
    def setUp(self) -> None:
        self.server = Server(
            ("127.0.0.1", 0),
            Config(
                database_url=SECRET_URL,
                version="3f9c2a1",
                secret_versions={"app": 1, "env/staging": 3},
            ),
        )
        thread = threading.Thread(target=self.server.serve_forever)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)

    def request(self, path: str, method: str = "GET") -> tuple[int, dict[str, object]]:
        url = f"http://127.0.0.1:{self.server.port}{path}"
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method=method)) as response:
                status, headers, text = response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            status, headers, text = error.code, error.headers, error.read().decode()
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertNotIn("s3cret", text)
        return status, json.loads(text)

    def test_healthz_reports_the_version(self) -> None:
        self.assertEqual(self.request("/healthz"), (200, {"status": "ok", "version": "3f9c2a1"}))

    def test_readyz_reports_the_database_without_its_url(self) -> None:
        self.assertEqual(
            self.request("/readyz"), (200, {"status": "ready", "database": "configured"})
        )

    def test_info_reports_secret_versions_and_whether_the_database_answers(self) -> None:
        self.assertEqual(
            self.request("/info"),
            (
                200,
                {
                    "service": SERVICE_NAME,
                    "version": "3f9c2a1",
                    "secretVersions": {"app": 1, "env/staging": 3},
                    "database": "unreachable (ConnectionRefusedError)",
                },
            ),
        )

    def test_database_is_503_naming_the_cause_and_counted_as_an_error(self) -> None:
        self.assertEqual(
            self.request("/database"),
            (
                503,
                {
                    "error": "The database does not answer: unreachable (ConnectionRefusedError)",
                    "database": "unreachable (ConnectionRefusedError)",
                },
            ),
        )
        self.assertIn(
            'http_requests_total{code="503",method="GET",route="/database"} 1.0',
            self.server.metrics.exposition().decode(),
        )

    def test_database_is_404_without_a_database(self) -> None:
        server = Server(("127.0.0.1", 0), Config())
        thread = threading.Thread(target=server.serve_forever)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        with self.assertRaises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/database")
        self.assertEqual(answer.exception.code, 404)
        self.assertEqual(
            json.loads(answer.exception.read()), {"error": "No database: DATABASE_URL is not set"}
        )
        answer.exception.close()

    def test_readyz_is_503_while_draining(self) -> None:
        self.server.draining.set()
        self.assertEqual(self.request("/readyz"), (503, {"status": "draining"}))

    def test_root_names_the_service(self) -> None:
        status, body = self.request("/")
        self.assertEqual(status, 200)
        self.assertEqual(body["service"], SERVICE_NAME)
        self.assertEqual(SERVICE_NAME, "${{ values.name }}")

    def test_unknown_routes_and_methods(self) -> None:
        self.assertEqual(self.request("/nope")[0], 404)
        self.assertEqual(self.request("/healthz", method="POST")[0], 405)


    def test_metrics_count_and_time_each_route(self) -> None:
        for path, method in [("/healthz", "GET"), ("/healthz", "GET"), ("/random/path/1", "GET")]:
            self.request(path, method=method)
        self.request("/healthz", method="POST")
        url = f"http://127.0.0.1:{self.server.port}/metrics"
        with urllib.request.urlopen(url) as response:
            self.assertEqual(response.status, 200)
            content_type = response.headers["Content-Type"]
            text = response.read().decode()
        self.assertTrue(content_type.startswith("text/plain; version=0.0.4"), content_type)
        for line in [
            "# TYPE http_requests_total counter",
            'http_requests_total{code="200",method="GET",route="/healthz"} 2.0',
            'http_requests_total{code="405",method="POST",route="/healthz"} 1.0',
            # Unknown paths share one series: no label per URL.
            'http_requests_total{code="404",method="GET",route="unmatched"} 1.0',
            "# TYPE http_request_duration_seconds histogram",
            'http_request_duration_seconds_bucket{code="200",le="+Inf",method="GET",route="/healthz"} 2.0',
            'http_request_duration_seconds_count{code="200",method="GET",route="/healthz"} 2.0',
        ]:
            self.assertIn(line, text.splitlines())
        self.assertNotIn("/random/path", text)
        self.assertNotIn('route="/metrics"', text)
        self.assertIn("process_resident_memory_bytes", text)

    def test_a_failing_route_is_answered_500_and_counted_as_an_error(self) -> None:
        metrics = Metrics()
        server = Server(("127.0.0.1", 0), Config(), metrics)

        def fail(*_args: object) -> None:
            raise RuntimeError("database unreachable")

        original = Handler._route
        Handler._route = fail  # type: ignore[method-assign]
        self.addCleanup(setattr, Handler, "_route", original)
        thread = threading.Thread(target=server.serve_forever)
        thread.start()
        with self.assertLogs("app.server", "ERROR"):
            with self.assertRaises(urllib.error.HTTPError) as failed:
                urllib.request.urlopen(f"http://127.0.0.1:{server.port}/")
        self.assertEqual(failed.exception.code, 500)
        failed.exception.close()
        # The request is counted once its handler returns: closing waits for it.
        server.shutdown()
        server.server_close()
        thread.join()
        text = metrics.exposition().decode().splitlines()
        self.assertIn('http_requests_total{code="500",method="GET",route="/"} 1.0', text)
        self.assertIn('http_request_duration_seconds_count{code="500",method="GET",route="/"} 1.0', text)


if __name__ == "__main__":
    unittest.main()
