package main

import (
	"fmt"
	"strconv"
	"strings"
)

// Config holds the settings of the service, read from the environment.
type Config struct {
	// Port is where the HTTP server listens: PORT, 8080 when unset.
	Port int
	// DatabaseURL is DATABASE_URL. It holds credentials: only whether it is
	// set is ever logged or served.
	DatabaseURL string
	// Version is GIT_COMMIT, the commit the running build comes from (the image
	// sets it), "dev" when unset. /healthz reports it.
	Version string
	// SecretVersions is PAVED_SECRET_VERSIONS: the Vault versions of the secrets the
	// pod got, e.g. app=1,env/staging=3 (the Deployment passes its pod annotation
	// paved.dev/vault-versions). /info reports them; versions, never values.
	SecretVersions map[string]int
}

// LoadConfig reads the configuration through getenv (os.Getenv in main).
func LoadConfig(getenv func(string) string) (Config, error) {
	cfg := Config{
		Port:           8080,
		DatabaseURL:    getenv("DATABASE_URL"),
		Version:        getenv("GIT_COMMIT"),
		SecretVersions: ParseSecretVersions(getenv("PAVED_SECRET_VERSIONS")),
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if raw := getenv("PORT"); raw != "" {
		port, err := strconv.Atoi(raw)
		if err != nil || port < 0 || port > 65535 {
			return Config{}, fmt.Errorf("PORT must be a port number (0-65535), got %q", raw)
		}
		cfg.Port = port
	}
	return cfg, nil
}

// DatabaseStatus says whether a database is configured, without its URL.
func (c Config) DatabaseStatus() string {
	if c.DatabaseURL == "" {
		return "not configured"
	}
	return "configured"
}

// ParseSecretVersions reads app=1,env/staging=3; anything else is left out.
func ParseSecretVersions(raw string) map[string]int {
	versions := map[string]int{}
	for _, part := range strings.Split(raw, ",") {
		path, version, _ := strings.Cut(part, "=")
		n, err := strconv.Atoi(strings.TrimSpace(version))
		if strings.TrimSpace(path) != "" && err == nil && n >= 0 {
			versions[strings.TrimSpace(path)] = n
		}
	}
	return versions
}
