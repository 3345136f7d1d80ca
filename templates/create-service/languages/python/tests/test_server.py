import json
import threading
import unittest
import urllib.error
import urllib.request

from app import SERVICE_NAME
from app.config import Config
from app.server import Server

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


if __name__ == "__main__":
    unittest.main()
