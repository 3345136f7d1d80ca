// A program that imports what HTTP services commonly do, built into the golang base
// image (scripts/platform/images/golang/Containerfile) only to fill the build cache:
// a service's `go test` and static `go build` then compile its own code, not the
// standard library. Never shipped.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	_ = bufio.NewReader
	_ = bytes.NewBuffer
	_ = sha256.Sum256
	_ = tls.Config{}
	_ = sql.Open
	_ = base64.StdEncoding
	_ = errors.New
	_ = flag.Parse
	_ = io.Copy
	_ = log.Println
	_ = net.Listen
	_ = url.Parse
	_ = regexp.MustCompile
	_ = sort.Strings
	_ = strconv.Itoa
	_ = strings.Cut
	_ = sync.Mutex{}
	_ = atomic.Bool{}
	_ = time.Now
	_ = syscall.SIGTERM
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
	logger.InfoContext(ctx, fmt.Sprint("warm"))
}
