import json
import threading
import unittest
import urllib.error
import urllib.request

from app import SERVICE_NAME
from app.config import Config
from app.server import Server

SECRET_URL = "postgres://orders:s3cret@db:5432/orders"


class ServerTest(unittest.TestCase):
    def setUp(self) -> None:
        self.server = Server(("127.0.0.1", 0), Config(database_url=SECRET_URL, version="3f9c2a1"))
        thread = threading.Thread(target=self.server.serve_forever)
        thread.start()
        self.addCleanup(thread.join)
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)

    def request(self, path: str, method: str = "GET") -> tuple[int, dict[str, str]]:
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
