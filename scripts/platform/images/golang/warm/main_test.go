package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWarm(t *testing.T) {
	rec := httptest.NewRecorder()
	http.DefaultServeMux.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
}
