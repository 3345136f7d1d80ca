package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestInfoReportsSecretVersionsAndTheDatabase(t *testing.T) {
	// Port 9 on loopback: nothing listens, so the database is unreachable, fast.
	cfg := Config{
		DatabaseURL:    "postgres://orders:s3cret@127.0.0.1:9/orders",
		Version:        "3f9c2a1",
		SecretVersions: map[string]int{"app": 1, "env/staging": 3},
	}
	rec := httptest.NewRecorder()
	NewServer(cfg, slog.New(slog.NewJSONHandler(io.Discard, nil))).ServeHTTP(rec, httptest.NewRequest("GET", "/info", nil))
	if strings.Contains(rec.Body.String(), "s3cret") {
		t.Fatalf("/info leaked the database URL: %s", rec.Body)
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("/info: not JSON: %v", err)
	}
	want := map[string]any{
		"service":        serviceName,
		"version":        "3f9c2a1",
		"secretVersions": map[string]any{"app": 1.0, "env/staging": 3.0},
		"database":       "unreachable (connection refused)",
	}
	if rec.Code != 200 || !reflect.DeepEqual(body, want) {
		t.Errorf("/info = %d %v, want %v", rec.Code, body, want)
	}
}

func TestDatabaseRouteIs503NamingTheCauseAndCountedAsAnError(t *testing.T) {
	// Port 9 on loopback: nothing listens, so the database is unreachable, fast.
	srv := NewServer(Config{DatabaseURL: "postgres://orders:s3cret@127.0.0.1:9/orders"}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/database", nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("/database: not JSON: %v", err)
	}
	want := map[string]any{
		"error":    "The database does not answer: unreachable (connection refused)",
		"database": "unreachable (connection refused)",
	}
	if rec.Code != 503 || !reflect.DeepEqual(body, want) || strings.Contains(rec.Body.String(), "s3cret") {
		t.Errorf("/database = %d %s, want 503 %v", rec.Code, rec.Body, want)
	}
	metrics := httptest.NewRecorder()
	srv.ServeHTTP(metrics, httptest.NewRequest("GET", "/metrics", nil))
	if line := `http_requests_total{code="503",method="GET",route="/database"} 1`; !strings.Contains(metrics.Body.String(), line) {
		t.Errorf("/metrics lacks %s:\n%s", line, metrics.Body)
	}
}

func TestDatabaseRouteIs404WithoutADatabase(t *testing.T) {
	rec := httptest.NewRecorder()
	NewServer(Config{}, slog.New(slog.NewJSONHandler(io.Discard, nil))).ServeHTTP(rec, httptest.NewRequest("GET", "/database", nil))
	if want := `{"error":"No database: DATABASE_URL is not set"}`; rec.Code != 404 || strings.TrimSpace(rec.Body.String()) != want {
		t.Errorf("/database = %d %s, want 404 %s", rec.Code, rec.Body, want)
	}
}

func TestDatabaseNotConfigured(t *testing.T) {
	if got := CheckDatabase("", time.Second); got != "not configured" {
		t.Errorf("CheckDatabase(\"\") = %q", got)
	}
}

func TestParseSecretVersions(t *testing.T) {
	got := ParseSecretVersions("app=1,database=2,env/staging=12")
	if want := map[string]int{"app": 1, "database": 2, "env/staging": 12}; !reflect.DeepEqual(got, want) {
		t.Errorf("ParseSecretVersions = %v", got)
	}
	if got := ParseSecretVersions("app=x,=3,env/staging"); len(got) != 0 {
		t.Errorf("ParseSecretVersions of nonsense = %v", got)
	}
}

// RFC 7677's example exchange.
func TestScramSHA256(t *testing.T) {
	c := NewScramClient("pencil", "rOprNGfwEbeRWgbNEkqO", "user")
	if got := c.ClientFirst(); got != "n,,n=user,r=rOprNGfwEbeRWgbNEkqO" {
		t.Errorf("client-first = %q", got)
	}
	final, err := c.ClientFinal("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
	want := "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	if err != nil || final != want {
		t.Errorf("client-final = %q, %v", final, err)
	}
	if !c.VerifyServer("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=") || c.VerifyServer("v=AAAA") {
		t.Error("the server signature is not checked")
	}
}
