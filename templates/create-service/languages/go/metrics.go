package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the service's Prometheus metrics (client_golang), served at GET /metrics in
// the Prometheus text format. Paved's ServiceMonitor scrapes them; its SLO rules and the
// portal's Metrics tab read:
//
//   - http_requests_total{route, method, code}: every request but /metrics; errors are
//     the ones with a 5xx code.
//   - http_request_duration_seconds{route, method, code}: a latency histogram.
//
// route is the route that matched, never the raw path (unknown paths are "unmatched"), so
// a scan of random URLs cannot blow up the series count.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// LatencyBuckets are the histogram's bounds in seconds; the SLO's latency threshold should
// be one of them.
var LatencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// NewMetrics registers the HTTP metrics and the Go runtime's and process's own.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests answered, by route, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route, method and status code.",
			Buckets: LatencyBuckets,
		}, []string{"route", "method", "code"}),
	}
	m.registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

var methods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

// Instrument times next and counts its answer under route. A handler that panics is
// answered 500 and counted as an error.
func (m *Metrics) Instrument(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		method := r.Method
		if !methods[method] {
			method = "OTHER"
		}
		defer func() {
			if p := recover(); p != nil {
				if !rec.wrote {
					writeJSON(rec, http.StatusInternalServerError, map[string]string{"error": "Internal error"})
				}
			}
			labels := prometheus.Labels{"route": route, "method": method, "code": strconv.Itoa(rec.status)}
			m.requests.With(labels).Inc()
			m.duration.With(labels).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(rec, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}
