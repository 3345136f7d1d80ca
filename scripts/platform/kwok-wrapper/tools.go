//go:build tools

// Package tools pins the main package this wrapper module builds (the kwok
// controller), so that `go mod tidy` keeps its dependencies. It is never compiled.
package tools

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
