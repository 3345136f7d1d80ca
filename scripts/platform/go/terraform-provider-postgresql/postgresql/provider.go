package postgresql

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/validation"
	"github.com/lib/pq"
)

// Provider returns the provider: same configuration attributes as cyrilgdn/postgresql.
func Provider(version string) *schema.Provider {
	return &schema.Provider{
		Schema: map[string]*schema.Schema{
			"scheme": {
				Type: schema.TypeString, Optional: true, Default: "postgres",
				ValidateFunc: validation.StringInSlice([]string{"postgres", "awspostgres", "gcppostgres"}, false),
			},
			"host":              {Type: schema.TypeString, Optional: true, DefaultFunc: schema.EnvDefaultFunc("PGHOST", nil), Description: "Name of PostgreSQL server address to connect to"},
			"port":              {Type: schema.TypeInt, Optional: true, DefaultFunc: schema.EnvDefaultFunc("PGPORT", 5432)},
			"database":          {Type: schema.TypeString, Optional: true, DefaultFunc: schema.EnvDefaultFunc("PGDATABASE", "postgres")},
			"username":          {Type: schema.TypeString, Optional: true, DefaultFunc: schema.EnvDefaultFunc("PGUSER", "postgres")},
			"database_username": {Type: schema.TypeString, Optional: true, Default: ""},
			"superuser":         {Type: schema.TypeBool, Optional: true, DefaultFunc: schema.EnvDefaultFunc("PGSUPERUSER", true)},
			"password":          {Type: schema.TypeString, Optional: true, Sensitive: true, DefaultFunc: schema.EnvDefaultFunc("PGPASSWORD", nil)},
			"sslmode":           {Type: schema.TypeString, Optional: true, DefaultFunc: schema.EnvDefaultFunc("PGSSLMODE", nil)},
			"ssl_mode":          {Type: schema.TypeString, Optional: true, Deprecated: "Rename PostgreSQL provider `ssl_mode` attribute to `sslmode`"},
			"sslrootcert":       {Type: schema.TypeString, Optional: true},
			"clientcert": {
				Type: schema.TypeList, Optional: true, MaxItems: 1,
				Elem: &schema.Resource{Schema: map[string]*schema.Schema{
					"cert":      {Type: schema.TypeString, Required: true},
					"key":       {Type: schema.TypeString, Required: true},
					"sslinline": {Type: schema.TypeBool, Optional: true},
				}},
			},
			"connect_timeout": {
				Type: schema.TypeInt, Optional: true, DefaultFunc: schema.EnvDefaultFunc("PGCONNECT_TIMEOUT", 180),
				ValidateFunc: validation.IntAtLeast(-1),
			},
			"max_connections":  {Type: schema.TypeInt, Optional: true, Default: 20, ValidateFunc: validation.IntAtLeast(-1)},
			"expected_version": {Type: schema.TypeString, Optional: true, Default: "9.0.0"},
			// Accepted for configuration compatibility; this stand-in supports none of them.
			"aws_rds_iam_auth":                    {Type: schema.TypeBool, Optional: true},
			"aws_rds_iam_profile":                 {Type: schema.TypeString, Optional: true},
			"aws_rds_iam_region":                  {Type: schema.TypeString, Optional: true},
			"aws_rds_iam_provider_role_arn":       {Type: schema.TypeString, Optional: true},
			"azure_identity_auth":                 {Type: schema.TypeBool, Optional: true},
			"azure_tenant_id":                     {Type: schema.TypeString, Optional: true},
			"gcp_iam_impersonate_service_account": {Type: schema.TypeString, Optional: true},
		},
		ResourcesMap: map[string]*schema.Resource{
			"postgresql_role":       resourceRole(),
			"postgresql_database":   resourceDatabase(),
			"postgresql_schema":     resourceSchema(),
			"postgresql_grant":      resourceGrant(),
			"postgresql_grant_role": resourceGrantRole(),
			"postgresql_extension":  resourceExtension(),
		},
		ConfigureContextFunc: func(ctx context.Context, d *schema.ResourceData) (interface{}, diag.Diagnostics) {
			return configure(d, version)
		},
	}
}

// Client holds one connection pool per database.
type Client struct {
	host, user, password, sslmode, sslrootcert string
	cert, key                                  string
	port, connectTimeout, maxConns             int
	defaultDB                                  string
	mu                                         sync.Mutex
	pools                                      map[string]*sql.DB
}

func configure(d *schema.ResourceData, version string) (interface{}, diag.Diagnostics) {
	for _, k := range []string{"aws_rds_iam_auth", "azure_identity_auth"} {
		if d.Get(k).(bool) {
			return nil, diag.Errorf("%s is not supported by Paved's postgresql provider stand-in", k)
		}
	}
	if s := d.Get("scheme").(string); s != "postgres" {
		return nil, diag.Errorf("scheme %q is not supported by Paved's postgresql provider stand-in (only \"postgres\")", s)
	}
	host, _ := d.Get("host").(string)
	if host == "" {
		return nil, diag.Errorf("host must be set (or PGHOST)")
	}
	sslmode := d.Get("sslmode").(string)
	if sslmode == "" {
		sslmode = d.Get("ssl_mode").(string)
	}
	if sslmode == "" {
		sslmode = "prefer"
	}
	c := &Client{
		host: host, user: d.Get("username").(string), password: d.Get("password").(string),
		sslmode: sslmode, sslrootcert: d.Get("sslrootcert").(string),
		port: d.Get("port").(int), connectTimeout: d.Get("connect_timeout").(int), maxConns: d.Get("max_connections").(int),
		defaultDB: d.Get("database").(string), pools: map[string]*sql.DB{},
	}
	if l := d.Get("clientcert").([]interface{}); len(l) == 1 && l[0] != nil {
		m := l[0].(map[string]interface{})
		if m["sslinline"].(bool) {
			return nil, diag.Errorf("clientcert.sslinline is not supported by Paved's postgresql provider stand-in")
		}
		c.cert, c.key = m["cert"].(string), m["key"].(string)
	}
	_ = version
	return c, nil
}

func kv(k, v string) string {
	return k + "='" + strings.ReplaceAll(strings.ReplaceAll(v, `\`, `\\`), `'`, `\'`) + "'"
}

// DB returns a pool for database name ("" = the provider's database).
func (c *Client) DB(name string) (*sql.DB, error) {
	if name == "" {
		name = c.defaultDB
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if db, ok := c.pools[name]; ok {
		return db, nil
	}
	parts := []string{kv("host", c.host), fmt.Sprintf("port=%d", c.port), kv("user", c.user), kv("dbname", name), kv("sslmode", c.sslmode)}
	if c.password != "" {
		parts = append(parts, kv("password", c.password))
	}
	if c.connectTimeout > 0 {
		parts = append(parts, fmt.Sprintf("connect_timeout=%d", c.connectTimeout))
	}
	if c.sslrootcert != "" {
		parts = append(parts, kv("sslrootcert", c.sslrootcert))
	}
	if c.cert != "" {
		parts = append(parts, kv("sslcert", c.cert), kv("sslkey", c.key))
	}
	if c.sslmode == "prefer" {
		// lib/pq has no "prefer"; try TLS and fall back like libpq does.
		db, err := c.open(strings.Replace(strings.Join(parts, " "), "sslmode='prefer'", "sslmode='require'", 1))
		if err == nil {
			c.pools[name] = db
			return db, nil
		}
		parts[4] = kv("sslmode", "disable")
	}
	db, err := c.open(strings.Join(parts, " "))
	if err != nil {
		return nil, fmt.Errorf("connecting to PostgreSQL %s:%d database %q: %w", c.host, c.port, name, err)
	}
	c.pools[name] = db
	return db, nil
}

func (c *Client) open(dsn string) (*sql.DB, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	if c.maxConns > 0 {
		db.SetMaxOpenConns(c.maxConns)
	}
	db.SetConnMaxIdleTime(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(max(c.connectTimeout, 5))*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// ---------------------------------------------------------------- helpers

func qi(s string) string { return pq.QuoteIdentifier(s) }
func ql(s string) string { return pq.QuoteLiteral(s) }

// roleSQL quotes a role name; "public" is the PUBLIC pseudo-role.
func roleSQL(r string) string {
	if strings.EqualFold(r, "public") {
		return "PUBLIC"
	}
	return qi(r)
}

func stringSet(v interface{}) []string {
	out := []string{}
	if s, ok := v.(*schema.Set); ok {
		for _, e := range s.List() {
			out = append(out, e.(string))
		}
	}
	sort.Strings(out)
	return out
}

func exec(ctx context.Context, db *sql.DB, stmts ...string) error {
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", redact(s), err)
		}
	}
	return nil
}

func redact(stmt string) string {
	if i := strings.Index(strings.ToUpper(stmt), " PASSWORD "); i >= 0 {
		return stmt[:i] + " PASSWORD <redacted>"
	}
	return stmt
}

func client(m interface{}) *Client { return m.(*Client) }
