package main

import (
	"fmt"
	"strconv"
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
}

// LoadConfig reads the configuration through getenv (os.Getenv in main).
func LoadConfig(getenv func(string) string) (Config, error) {
	cfg := Config{Port: 8080, DatabaseURL: getenv("DATABASE_URL"), Version: getenv("GIT_COMMIT")}
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
