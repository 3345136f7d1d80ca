package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

const (
	serviceName        = "${{ values.name }}"
	serviceDescription = ${{ values.description | dump }}
	// shutdownTimeout bounds how long in-flight requests may run after SIGTERM.
	shutdownTimeout = 10 * time.Second
)

// Server is the HTTP server of ${{ values.name }}.
// /healthz answers while the process runs (liveness), with the version it runs;
// /readyz while it takes traffic (readiness) and 503 once it is shutting down. Kubernetes probes both
// (deploy/kubernetes). /info says what runs: the version, the versions of its secrets and
// whether the database answers (it connects on every request; never the URL). /database is the
// first route that needs the database: 503 naming the cause while it does not answer.
type Server struct {
	cfg      Config
	logger   *slog.Logger
	draining atomic.Bool
	metrics  *Metrics
	routes   map[string]http.Handler
}

// NewServer returns a server for cfg that logs to logger. /metrics serves its metrics
// (metrics.go): every other request is counted and timed by route.
func NewServer(cfg Config, logger *slog.Logger) *Server {
	s := &Server{cfg: cfg, logger: logger, metrics: NewMetrics()}
	s.routes = map[string]http.Handler{"/metrics": s.metrics.Handler()}
	for _, route := range []string{"/healthz", "/readyz", "/info", "/database", "/"} {
		s.routes[route] = s.metrics.Instrument(route, http.HandlerFunc(s.route))
	}
	s.routes["unmatched"] = s.metrics.Instrument("unmatched", http.HandlerFunc(s.route))
	return s
}

// ServeHTTP hands a request to its route's instrumented handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, ok := s.routes[r.URL.Path]
	if !ok {
		h = s.routes["unmatched"]
	}
	h.ServeHTTP(w, r)
}

// route answers a request.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	var handle func() (int, any)
	switch r.URL.Path {
	case "/healthz":
		handle = func() (int, any) { return http.StatusOK, map[string]string{"status": "ok", "version": s.version()} }
	case "/readyz":
		handle = s.readiness
	case "/info":
		handle = func() (int, any) {
			versions := s.cfg.SecretVersions
			if versions == nil {
				versions = map[string]int{}
			}
			return http.StatusOK, map[string]any{
				"service":        serviceName,
				"version":        s.version(),
				"secretVersions": versions,
				"database":       CheckDatabase(s.cfg.DatabaseURL, 3*time.Second),
			}
		}
	case "/database":
		handle = s.database
	case "/":
		handle = func() (int, any) {
			return http.StatusOK, map[string]string{"service": serviceName, "description": serviceDescription}
		}
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "No route for " + r.Method + " " + r.URL.Path})
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": r.Method + " is not allowed on " + r.URL.Path})
		return
	}
	status, body := handle()
	writeJSON(w, status, body)
}

// version is what /healthz reports: GIT_COMMIT, or "dev".
func (s *Server) version() string {
	if s.cfg.Version == "" {
		return "dev"
	}
	return s.cfg.Version
}

// database is the first route that needs the database, to grow from: 200 while it answers and
// takes the service's login, 503 naming the cause when it does not (e.g. "refused (28000)": the
// login may not log in), so an outage of the database is an outage of the service, counted
// against its SLO; 404 when the service has no database.
func (s *Server) database() (int, any) {
	if s.cfg.DatabaseURL == "" {
		return http.StatusNotFound, map[string]string{"error": "No database: DATABASE_URL is not set"}
	}
	database := CheckDatabase(s.cfg.DatabaseURL, 3*time.Second)
	if database == "answers" {
		return http.StatusOK, map[string]string{"database": database}
	}
	return http.StatusServiceUnavailable, map[string]string{
		"error":    "The database does not answer: " + database,
		"database": database,
	}
}

func (s *Server) readiness() (int, any) {
	if s.draining.Load() {
		return http.StatusServiceUnavailable, map[string]string{"status": "draining"}
	}
	return http.StatusOK, map[string]string{"status": "ready", "database": s.cfg.DatabaseStatus()}
}

// Serve answers on ln until ctx is done, then shuts down gracefully: /readyz
// turns 503, no new connections are accepted and in-flight requests finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errs := make(chan error, 1)
	go func() { errs <- srv.Serve(ln) }()
	s.logger.Info("listening", "service", serviceName, "version", s.version(), "port", ln.Addr().(*net.TCPAddr).Port, "database", s.cfg.DatabaseStatus())

	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
	}
	s.logger.Info("shutting down")
	s.draining.Store(true)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errs; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.logger.Info("stopped")
	return nil
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
