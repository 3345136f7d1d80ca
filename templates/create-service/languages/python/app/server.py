"""The HTTP server of ${{ values.name }}.

/healthz answers while the process runs (liveness), with the version it runs;
/readyz while it takes traffic (readiness) and 503 once it is shutting down. Kubernetes probes both
(deploy/kubernetes). /info says what runs: the version, the versions of its secrets and whether
the database answers (it connects on every request; never the URL). /database is the first route
that needs the database: 503 naming the cause while it does not answer. /metrics is for Prometheus
(app/metrics.py): every other request is counted and timed by route.
"""

import json
import logging
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app import SERVICE_DESCRIPTION, SERVICE_NAME
from app.config import Config
from app.database import check_database
from app.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)


class Server(ThreadingHTTPServer):
    # On shutdown, wait for in-flight requests instead of killing their threads.
    daemon_threads = False
    block_on_close = True

    def __init__(
        self, address: tuple[str, int], config: Config, metrics: Metrics | None = None
    ) -> None:
        self.config = config
        self.metrics = metrics or Metrics()
        self.draining = threading.Event()
        super().__init__(address, Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]


class Handler(BaseHTTPRequestHandler):
    server: Server
    server_version = SERVICE_NAME

    def _readiness(self) -> tuple[HTTPStatus, dict[str, object]]:
        if self.server.draining.is_set():
            return HTTPStatus.SERVICE_UNAVAILABLE, {"status": "draining"}
        return HTTPStatus.OK, {"status": "ready", "database": self.server.config.database_status}

    def _info(self) -> tuple[HTTPStatus, dict[str, object]]:
        config = self.server.config
        return HTTPStatus.OK, {
            "service": SERVICE_NAME,
            "version": config.version,
            "secretVersions": dict(config.secret_versions),
            "database": check_database(config.database_url),
        }

    def _database(self) -> tuple[HTTPStatus, dict[str, object]]:
        # The first route that needs the database, to grow from: 200 while it answers and takes
        # the service's login, 503 naming the cause when it does not (e.g. "refused (28000)": the
        # login may not log in), so an outage of the database is an outage of the service,
        # counted against its SLO; 404 when the service has no database.
        url = self.server.config.database_url
        if not url:
            return HTTPStatus.NOT_FOUND, {"error": "No database: DATABASE_URL is not set"}
        database = check_database(url)
        if database == "answers":
            return HTTPStatus.OK, {"database": database}
        return HTTPStatus.SERVICE_UNAVAILABLE, {
            "error": f"The database does not answer: {database}",
            "database": database,
        }

    def _routes(self) -> dict[str, Callable[[], tuple[HTTPStatus, dict[str, object]]]]:
        version = self.server.config.version
        about = {"service": SERVICE_NAME, "description": SERVICE_DESCRIPTION}
        return {
            "/healthz": lambda: (HTTPStatus.OK, {"status": "ok", "version": version}),
            "/readyz": self._readiness,
            "/info": self._info,
            "/database": self._database,
            "/": lambda: (HTTPStatus.OK, about),
        }

    def _handle(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send_metrics()
            return
        routes = self._routes()
        self._metric_route = path if path in routes else "unmatched"
        self._start = time.perf_counter()
        self._answered = False
        try:
            self._route(path, routes)
        except Exception:
            log.exception("request failed", extra={"route": self._metric_route})
            if not self._answered:
                self._send(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "Internal error"})

    def _route(
        self, path: str, routes: dict[str, Callable[[], tuple[HTTPStatus, dict[str, object]]]]
    ) -> None:
        if path not in routes:
            self._send(HTTPStatus.NOT_FOUND, {"error": f"No route for {self.command} {path}"})
        elif self.command not in ("GET", "HEAD"):
            error = {"error": f"{self.command} is not allowed on {path}"}
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, error, {"Allow": "GET, HEAD"})
        else:
            self._send(*routes[path]())

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle

    def _send(
        self, status: HTTPStatus, body: dict[str, object], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        # Counted before the answer leaves: a client that reads /metrics right after
        # its answer finds the request in it.
        elapsed = time.perf_counter() - self._start
        self.server.metrics.observe(self._metric_route, self.command, int(status), elapsed)
        self._answered = True
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _send_metrics(self) -> None:
        data = self.server.metrics.exposition()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        # Access logs as JSON, at debug level so probes do not flood the logs.
        log.debug("request", extra={"request": format % args})
