"""The service's Prometheus metrics (prometheus_client), served at GET /metrics.

Paved's ServiceMonitor scrapes them in the Prometheus text format; its SLO rules and the
portal's Metrics tab read:

- http_requests_total{route, method, code}: every request but /metrics; errors are the ones
  with a 5xx code.
- http_request_duration_seconds{route, method, code}: a latency histogram.

`route` is the route that matched, never the raw path (unknown paths are "unmatched"), so a
scan of random URLs cannot blow up the series count.
"""

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

# Seconds; the SLO's latency threshold should be one of these bounds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        labels = ("route", "method", "code")
        self._requests = Counter(
            "http_requests",
            "HTTP requests answered, by route, method and status code.",
            labels,
            registry=self.registry,
        )
        self._duration = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route, method and status code.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe(self, route: str, method: str, code: int, seconds: float) -> None:
        """Counts one answered request and its duration."""
        labels = (route, method if method in METHODS else "OTHER", str(code))
        self._requests.labels(*labels).inc()
        self._duration.labels(*labels).observe(seconds)

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format (version 0.0.4)."""
        return generate_latest(self.registry)
