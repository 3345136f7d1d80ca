package postgresql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/lib/pq"
)

func resourceRole() *schema.Resource {
	return &schema.Resource{
		CreateContext: roleCreate,
		ReadContext:   roleRead,
		UpdateContext: roleUpdate,
		DeleteContext: roleDelete,
		Importer:      &schema.ResourceImporter{StateContext: schema.ImportStatePassthroughContext},
		Schema: map[string]*schema.Schema{
			"name":                                {Type: schema.TypeString, Required: true},
			"password":                            {Type: schema.TypeString, Optional: true, Sensitive: true},
			"encrypted_password":                  {Type: schema.TypeBool, Optional: true, Default: true},
			"encrypted":                           {Type: schema.TypeString, Optional: true, Deprecated: "Rename PostgreSQL role resource attribute \"encrypted\" to \"encrypted_password\""},
			"roles":                               {Type: schema.TypeSet, Optional: true, Elem: &schema.Schema{Type: schema.TypeString}, Set: schema.HashString},
			"search_path":                         {Type: schema.TypeList, Optional: true, Elem: &schema.Schema{Type: schema.TypeString}},
			"valid_until":                         {Type: schema.TypeString, Optional: true, Default: "infinity"},
			"connection_limit":                    {Type: schema.TypeInt, Optional: true, Default: -1},
			"superuser":                           {Type: schema.TypeBool, Optional: true, Default: false},
			"create_database":                     {Type: schema.TypeBool, Optional: true, Default: false},
			"create_role":                         {Type: schema.TypeBool, Optional: true, Default: false},
			"inherit":                             {Type: schema.TypeBool, Optional: true, Default: true},
			"login":                               {Type: schema.TypeBool, Optional: true, Default: false},
			"replication":                         {Type: schema.TypeBool, Optional: true, Default: false},
			"bypass_row_level_security":           {Type: schema.TypeBool, Optional: true, Default: false},
			"skip_drop_role":                      {Type: schema.TypeBool, Optional: true, Default: false},
			"skip_reassign_owned":                 {Type: schema.TypeBool, Optional: true, Default: false},
			"statement_timeout":                   {Type: schema.TypeInt, Optional: true},
			"idle_in_transaction_session_timeout": {Type: schema.TypeInt, Optional: true},
			"assume_role":                         {Type: schema.TypeString, Optional: true},
		},
	}
}

func flag(on bool, yes, no string) string {
	if on {
		return yes
	}
	return no
}

func roleOptions(d *schema.ResourceData, withPassword bool) string {
	opts := []string{
		flag(d.Get("superuser").(bool), "SUPERUSER", "NOSUPERUSER"),
		flag(d.Get("create_database").(bool), "CREATEDB", "NOCREATEDB"),
		flag(d.Get("create_role").(bool), "CREATEROLE", "NOCREATEROLE"),
		flag(d.Get("inherit").(bool), "INHERIT", "NOINHERIT"),
		flag(d.Get("login").(bool), "LOGIN", "NOLOGIN"),
		flag(d.Get("replication").(bool), "REPLICATION", "NOREPLICATION"),
		flag(d.Get("bypass_row_level_security").(bool), "BYPASSRLS", "NOBYPASSRLS"),
		fmt.Sprintf("CONNECTION LIMIT %d", d.Get("connection_limit").(int)),
		"VALID UNTIL " + ql(d.Get("valid_until").(string)),
	}
	if withPassword {
		if pw := d.Get("password").(string); pw != "" {
			opts = append(opts, "PASSWORD "+ql(pw))
		} else {
			opts = append(opts, "PASSWORD NULL")
		}
	}
	return strings.Join(opts, " ")
}

// roleSettings returns ALTER ROLE ... SET/RESET statements for the per-role settings.
func roleSettings(d *schema.ResourceData) []string {
	name := qi(d.Get("name").(string))
	var out []string
	if sp := d.Get("search_path").([]interface{}); len(sp) > 0 {
		parts := make([]string, len(sp))
		for i, p := range sp {
			parts[i] = qi(p.(string))
		}
		out = append(out, fmt.Sprintf("ALTER ROLE %s SET search_path TO %s", name, strings.Join(parts, ", ")))
	} else {
		out = append(out, fmt.Sprintf("ALTER ROLE %s RESET search_path", name))
	}
	for _, k := range []string{"statement_timeout", "idle_in_transaction_session_timeout"} {
		if v, ok := d.GetOk(k); ok && v.(int) > 0 {
			out = append(out, fmt.Sprintf("ALTER ROLE %s SET %s TO %d", name, k, v.(int)))
		} else {
			out = append(out, fmt.Sprintf("ALTER ROLE %s RESET %s", name, k))
		}
	}
	if v := d.Get("assume_role").(string); v != "" {
		out = append(out, fmt.Sprintf("ALTER ROLE %s SET role TO %s", name, qi(v)))
	} else {
		out = append(out, fmt.Sprintf("ALTER ROLE %s RESET role", name))
	}
	return out
}

func roleCreate(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	db, err := client(m).DB("")
	if err != nil {
		return diag.FromErr(err)
	}
	name := d.Get("name").(string)
	stmts := []string{fmt.Sprintf("CREATE ROLE %s WITH %s", qi(name), roleOptions(d, true))}
	for _, r := range stringSet(d.Get("roles")) {
		stmts = append(stmts, fmt.Sprintf("GRANT %s TO %s", qi(r), qi(name)))
	}
	stmts = append(stmts, roleSettings(d)...)
	if err := inTx(ctx, db, stmts...); err != nil {
		return diag.FromErr(err)
	}
	d.SetId(name)
	return roleRead(ctx, d, m)
}

func roleRead(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	db, err := client(m).DB("")
	if err != nil {
		return diag.FromErr(err)
	}
	var (
		super, inherit, createRole, createDB, login, repl, bypass bool
		connLimit                                                 int
		validUntil                                                string
		config                                                    []string
	)
	err = db.QueryRowContext(ctx, `SELECT rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication,
		rolbypassrls, rolconnlimit, COALESCE(rolvaliduntil::text, 'infinity'), COALESCE(rolconfig, '{}')
		FROM pg_catalog.pg_roles WHERE rolname = $1`, d.Id()).
		Scan(&super, &inherit, &createRole, &createDB, &login, &repl, &bypass, &connLimit, &validUntil, pq.Array(&config))
	if err == sql.ErrNoRows {
		d.SetId("")
		return nil
	}
	if err != nil {
		return diag.FromErr(err)
	}
	var memberOf []string
	rows, err := db.QueryContext(ctx, `SELECT r.rolname FROM pg_catalog.pg_auth_members am
		JOIN pg_catalog.pg_roles r ON r.oid = am.roleid JOIN pg_catalog.pg_roles u ON u.oid = am.member
		WHERE u.rolname = $1`, d.Id())
	if err != nil {
		return diag.FromErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return diag.FromErr(err)
		}
		memberOf = append(memberOf, r)
	}
	// valid_until is kept as configured: PostgreSQL normalises the timestamp text.
	_ = validUntil
	searchPath := []string{}
	var stmtTimeout, idleTimeout int
	assume := ""
	for _, c := range config {
		k, v, _ := strings.Cut(c, "=")
		switch k {
		case "search_path":
			for _, p := range strings.Split(v, ",") {
				searchPath = append(searchPath, strings.Trim(strings.TrimSpace(p), `"`))
			}
		case "statement_timeout":
			fmt.Sscan(v, &stmtTimeout)
		case "idle_in_transaction_session_timeout":
			fmt.Sscan(v, &idleTimeout)
		case "role":
			assume = v
		}
	}
	d.Set("name", d.Id())
	d.Set("superuser", super)
	d.Set("inherit", inherit)
	d.Set("create_role", createRole)
	d.Set("create_database", createDB)
	d.Set("login", login)
	d.Set("replication", repl)
	d.Set("bypass_row_level_security", bypass)
	d.Set("connection_limit", connLimit)
	d.Set("roles", memberOf)
	d.Set("search_path", searchPath)
	d.Set("statement_timeout", stmtTimeout)
	d.Set("idle_in_transaction_session_timeout", idleTimeout)
	d.Set("assume_role", assume)
	return nil
}

func roleUpdate(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	db, err := client(m).DB("")
	if err != nil {
		return diag.FromErr(err)
	}
	var stmts []string
	if d.HasChange("name") {
		o, n := d.GetChange("name")
		stmts = append(stmts, fmt.Sprintf("ALTER ROLE %s RENAME TO %s", qi(o.(string)), qi(n.(string))))
	}
	name := qi(d.Get("name").(string))
	stmts = append(stmts, fmt.Sprintf("ALTER ROLE %s WITH %s", name, roleOptions(d, d.HasChange("password") || d.HasChange("name"))))
	if d.HasChange("roles") {
		o, n := d.GetChange("roles")
		for _, r := range stringSet(o.(*schema.Set).Difference(n.(*schema.Set))) {
			stmts = append(stmts, fmt.Sprintf("REVOKE %s FROM %s", qi(r), name))
		}
		for _, r := range stringSet(n.(*schema.Set).Difference(o.(*schema.Set))) {
			stmts = append(stmts, fmt.Sprintf("GRANT %s TO %s", qi(r), name))
		}
	}
	stmts = append(stmts, roleSettings(d)...)
	if err := inTx(ctx, db, stmts...); err != nil {
		return diag.FromErr(err)
	}
	d.SetId(d.Get("name").(string))
	return roleRead(ctx, d, m)
}

func roleDelete(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	c := client(m)
	if d.Get("skip_drop_role").(bool) {
		d.SetId("")
		return nil
	}
	name := qi(d.Id())
	if !d.Get("skip_reassign_owned").(bool) {
		// in every database that accepts connections: objects owned by the role go to the
		// provider's user, then its privileges are dropped
		db, err := c.DB("")
		if err != nil {
			return diag.FromErr(err)
		}
		rows, err := db.QueryContext(ctx, `SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate`)
		if err != nil {
			return diag.FromErr(err)
		}
		var dbs []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return diag.FromErr(err)
			}
			dbs = append(dbs, n)
		}
		rows.Close()
		for _, n := range dbs {
			ddb, err := c.DB(n)
			if err != nil {
				return diag.FromErr(err)
			}
			if err := inTx(ctx, ddb, fmt.Sprintf("REASSIGN OWNED BY %s TO CURRENT_USER", name), fmt.Sprintf("DROP OWNED BY %s", name)); err != nil {
				return diag.FromErr(err)
			}
		}
	}
	db, err := c.DB("")
	if err != nil {
		return diag.FromErr(err)
	}
	if err := exec(ctx, db, fmt.Sprintf("DROP ROLE IF EXISTS %s", name)); err != nil {
		return diag.FromErr(err)
	}
	d.SetId("")
	return nil
}

func inTx(ctx context.Context, db *sql.DB, stmts ...string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: %w", redact(s), err)
		}
	}
	return tx.Commit()
}
