package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

const secretURL = "postgres://orders:s3cret@db:5432/orders"

func get(t *testing.T, h http.Handler, method, path string) (int, map[string]string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	if strings.Contains(rec.Body.String(), "s3cret") {
		t.Fatalf("%s %s leaked the database URL: %s", method, path, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: Content-Type %q", method, path, ct)
	}
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s %s: not JSON: %v", method, path, err)
	}
	return rec.Code, body
}

func TestEndpoints(t *testing.T) {
	s := NewServer(Config{Port: 8080, DatabaseURL: secretURL, Version: "3f9c2a1"}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	cases := []struct {
		method, path string
		status       int
		body         map[string]string
	}{
		{"GET", "/healthz", 200, map[string]string{"status": "ok", "version": "3f9c2a1"}},
		{"GET", "/readyz", 200, map[string]string{"status": "ready", "database": "configured"}},
		{"GET", "/", 200, map[string]string{"service": serviceName, "description": serviceDescription}},
		{"GET", "/nope", 404, map[string]string{"error": "No route for GET /nope"}},
		{"POST", "/healthz", 405, map[string]string{"error": "POST is not allowed on /healthz"}},
	}
	for _, c := range cases {
		status, body := get(t, s, c.method, c.path)
		if status != c.status || fmt.Sprint(body) != fmt.Sprint(c.body) {
			t.Errorf("%s %s = %d %v, want %d %v", c.method, c.path, status, body, c.status, c.body)
		}
	}
	if serviceName != "${{ values.name }}" {
		t.Errorf("the root names %q", serviceName)
	}
}

func TestReadyzWithoutDatabase(t *testing.T) {
	s := NewServer(Config{}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if _, body := get(t, s, "GET", "/readyz"); body["database"] != "not configured" {
		t.Errorf("readyz = %v", body)
	}
}

func TestHealthzWithoutVersion(t *testing.T) {
	s := NewServer(Config{}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if _, body := get(t, s, "GET", "/healthz"); body["version"] != "dev" {
		t.Errorf("healthz = %v", body)
	}
}

func TestLoadConfig(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	cfg, err := LoadConfig(env(nil))
	if err != nil || cfg.Port != 8080 || cfg.DatabaseURL != "" || cfg.Version != "dev" {
		t.Errorf("defaults = %+v, %v", cfg, err)
	}
	cfg, err = LoadConfig(env(map[string]string{"PORT": "9090", "DATABASE_URL": secretURL, "GIT_COMMIT": "3f9c2a1"}))
	if err != nil || cfg.Port != 9090 || cfg.DatabaseStatus() != "configured" || cfg.Version != "3f9c2a1" {
		t.Errorf("from env = %+v, %v", cfg, err)
	}
	for _, bad := range []string{"eighty", "-1", "70000"} {
		if _, err := LoadConfig(env(map[string]string{"PORT": bad})); err == nil {
			t.Errorf("PORT=%q was accepted", bad)
		}
	}
}

// The real main loop: listens on $PORT, logs JSON lines, drains and exits
// cleanly on SIGTERM.
func TestRunStopsOnSIGTERM(t *testing.T) {
	out, logs := io.Pipe()
	done := make(chan error, 1)
	go func() {
		getenv := func(k string) string {
			return map[string]string{"PORT": "0", "DATABASE_URL": secretURL, "GIT_COMMIT": "3f9c2a1"}[k]
		}
		done <- run(context.Background(), getenv, logs)
		logs.Close()
	}()

	var msgs []string
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if strings.Contains(lines.Text(), "s3cret") {
			t.Errorf("the database URL was logged: %s", lines.Text())
		}
		var entry struct {
			Level, Msg, Version string
			Port                int
		}
		if err := json.Unmarshal(lines.Bytes(), &entry); err != nil {
			t.Fatalf("log line is not JSON: %s", lines.Text())
		}
		msgs = append(msgs, entry.Msg)
		if entry.Msg == "listening" {
			if entry.Version != "3f9c2a1" {
				t.Errorf("listening logged version %q", entry.Version)
			}
			addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(entry.Port))
			resp, err := http.Get("http://" + addr + "/healthz")
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("GET /healthz: %v %v", resp, err)
			}
			var health map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&health); err != nil || health["version"] != "3f9c2a1" {
				t.Errorf("GET /healthz = %v, %v", health, err)
			}
			resp.Body.Close()
			if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after SIGTERM")
	}
	if got := strings.Join(msgs, ","); got != "listening,shutting down,stopped" {
		t.Errorf("logged %s", got)
	}
}

func TestShutdownDrainsReadiness(t *testing.T) {
	s := NewServer(Config{}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if status, body := get(t, s, "GET", "/readyz"); status != 503 || body["status"] != "draining" {
		t.Errorf("readyz after shutdown = %d %v", status, body)
	}
}

func TestMetrics(t *testing.T) {
	s := NewServer(Config{Port: 8080}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	for _, r := range []struct{ method, path string }{{"GET", "/healthz"}, {"GET", "/healthz"}, {"GET", "/random/path/123"}, {"POST", "/healthz"}} {
		s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(r.method, r.path, nil))
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics = %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	text := rec.Body.String()
	for _, want := range []string{
		"# TYPE http_requests_total counter",
		`http_requests_total{code="200",method="GET",route="/healthz"} 2`,
		`http_requests_total{code="405",method="POST",route="/healthz"} 1`,
		// Unknown paths share one series: no label per URL.
		`http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		"# TYPE http_request_duration_seconds histogram",
		`http_request_duration_seconds_bucket{code="200",method="GET",route="/healthz",le="+Inf"} 2`,
		`http_request_duration_seconds_count{code="200",method="GET",route="/healthz"} 2`,
		"go_goroutines ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for _, unwanted := range []string{"/random/path", `route="/metrics"`} {
		if strings.Contains(text, unwanted) {
			t.Errorf("/metrics has %q", unwanted)
		}
	}
}

func TestMetricsCountAPanicAsAnError(t *testing.T) {
	m := NewMetrics()
	h := m.Instrument("/orders", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("database unreachable") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/orders", nil))
	if rec.Code != 500 {
		t.Fatalf("a panicking route answered %d", rec.Code)
	}
	out := httptest.NewRecorder()
	m.Handler().ServeHTTP(out, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`http_requests_total{code="500",method="GET",route="/orders"} 1`,
		`http_request_duration_seconds_count{code="500",method="GET",route="/orders"} 1`,
	} {
		if !strings.Contains(out.Body.String(), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, out.Body)
		}
	}
}
