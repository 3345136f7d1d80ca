package postgresql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/validation"
)

// splitID splits "a.b" ids (database.object).
func splitID(id string) (string, string, error) {
	a, b, ok := strings.Cut(id, ".")
	if !ok || a == "" || b == "" {
		return "", "", fmt.Errorf("invalid id %q: expected DATABASE.NAME", id)
	}
	return a, b, nil
}

func dbOrDefault(c *Client, d *schema.ResourceData) string {
	if v, ok := d.GetOk("database"); ok && v.(string) != "" {
		return v.(string)
	}
	return c.defaultDB
}

// ---------------------------------------------------------------- postgresql_schema

func resourceSchema() *schema.Resource {
	return &schema.Resource{
		CreateContext: schemaCreate,
		ReadContext:   schemaRead,
		UpdateContext: schemaUpdate,
		DeleteContext: schemaDelete,
		Importer:      &schema.ResourceImporter{StateContext: schema.ImportStatePassthroughContext},
		Schema: map[string]*schema.Schema{
			"name":          {Type: schema.TypeString, Required: true},
			"database":      {Type: schema.TypeString, Optional: true, Computed: true, ForceNew: true},
			"owner":         {Type: schema.TypeString, Optional: true, Computed: true},
			"if_not_exists": {Type: schema.TypeBool, Optional: true, Default: true},
			"drop_cascade":  {Type: schema.TypeBool, Optional: true, Default: false},
		},
	}
}

func schemaCreate(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	c := client(m)
	dbname := dbOrDefault(c, d)
	db, err := c.DB(dbname)
	if err != nil {
		return diag.FromErr(err)
	}
	name := d.Get("name").(string)
	stmt := "CREATE SCHEMA "
	if d.Get("if_not_exists").(bool) {
		stmt += "IF NOT EXISTS "
	}
	stmt += qi(name)
	if o := d.Get("owner").(string); o != "" {
		stmt += " AUTHORIZATION " + qi(o)
	}
	stmts := []string{stmt}
	if o := d.Get("owner").(string); o != "" && d.Get("if_not_exists").(bool) {
		stmts = append(stmts, fmt.Sprintf("ALTER SCHEMA %s OWNER TO %s", qi(name), qi(o)))
	}
	if err := inTx(ctx, db, stmts...); err != nil {
		return diag.FromErr(err)
	}
	d.SetId(dbname + "." + name)
	return schemaRead(ctx, d, m)
}

func schemaRead(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	dbname, name, err := splitID(d.Id())
	if err != nil {
		return diag.FromErr(err)
	}
	db, err := client(m).DB(dbname)
	if err != nil {
		return diag.FromErr(err)
	}
	var owner string
	err = db.QueryRowContext(ctx, `SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace WHERE nspname = $1`, name).Scan(&owner)
	if err == sql.ErrNoRows {
		d.SetId("")
		return nil
	}
	if err != nil {
		return diag.FromErr(err)
	}
	d.Set("name", name)
	d.Set("database", dbname)
	d.Set("owner", owner)
	return nil
}

func schemaUpdate(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	dbname, _, err := splitID(d.Id())
	if err != nil {
		return diag.FromErr(err)
	}
	db, err := client(m).DB(dbname)
	if err != nil {
		return diag.FromErr(err)
	}
	var stmts []string
	if d.HasChange("name") {
		o, n := d.GetChange("name")
		stmts = append(stmts, fmt.Sprintf("ALTER SCHEMA %s RENAME TO %s", qi(o.(string)), qi(n.(string))))
	}
	if d.HasChange("owner") && d.Get("owner").(string) != "" {
		stmts = append(stmts, fmt.Sprintf("ALTER SCHEMA %s OWNER TO %s", qi(d.Get("name").(string)), qi(d.Get("owner").(string))))
	}
	if err := inTx(ctx, db, stmts...); err != nil {
		return diag.FromErr(err)
	}
	d.SetId(dbname + "." + d.Get("name").(string))
	return schemaRead(ctx, d, m)
}

func schemaDelete(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	dbname, name, err := splitID(d.Id())
	if err != nil {
		return diag.FromErr(err)
	}
	db, err := client(m).DB(dbname)
	if err != nil {
		return diag.FromErr(err)
	}
	mode := "RESTRICT"
	if d.Get("drop_cascade").(bool) {
		mode = "CASCADE"
	}
	if err := exec(ctx, db, fmt.Sprintf("DROP SCHEMA IF EXISTS %s %s", qi(name), mode)); err != nil {
		return diag.FromErr(err)
	}
	d.SetId("")
	return nil
}

// ---------------------------------------------------------------- postgresql_grant

var grantObjectTypes = []string{"database", "schema", "table", "sequence", "function", "procedure", "routine",
	"foreign_data_wrapper", "foreign_server", "column"}

func resourceGrant() *schema.Resource {
	return &schema.Resource{
		CreateContext: grantCreate,
		ReadContext:   grantRead,
		DeleteContext: grantDelete,
		Schema: map[string]*schema.Schema{
			"role":              {Type: schema.TypeString, Required: true, ForceNew: true},
			"database":          {Type: schema.TypeString, Required: true, ForceNew: true},
			"schema":            {Type: schema.TypeString, Optional: true, ForceNew: true},
			"object_type":       {Type: schema.TypeString, Required: true, ForceNew: true, ValidateFunc: validation.StringInSlice(grantObjectTypes, false)},
			"objects":           {Type: schema.TypeSet, Optional: true, ForceNew: true, Elem: &schema.Schema{Type: schema.TypeString}, Set: schema.HashString},
			"columns":           {Type: schema.TypeSet, Optional: true, ForceNew: true, Elem: &schema.Schema{Type: schema.TypeString}, Set: schema.HashString},
			"privileges":        {Type: schema.TypeSet, Required: true, ForceNew: true, Elem: &schema.Schema{Type: schema.TypeString}, Set: schema.HashString},
			"with_grant_option": {Type: schema.TypeBool, Optional: true, ForceNew: true, Default: false},
		},
	}
}

// grantTargets returns the "ON ..." clauses for the grant.
func grantTargets(d *schema.ResourceData) ([]string, error) {
	ot := d.Get("object_type").(string)
	sch := d.Get("schema").(string)
	objs := stringSet(d.Get("objects"))
	qualify := func(kind string) []string {
		out := []string{}
		for _, o := range objs {
			if kind == "FUNCTION" || kind == "PROCEDURE" || kind == "ROUTINE" {
				// objects may carry an argument list: name(int, text)
				n, args, hasArgs := strings.Cut(o, "(")
				s := qi(sch) + "." + qi(n)
				if hasArgs {
					s += "(" + args
				}
				out = append(out, kind+" "+s)
			} else {
				out = append(out, kind+" "+qi(sch)+"."+qi(o))
			}
		}
		return out
	}
	needSchema := func() error {
		if sch == "" {
			return fmt.Errorf("object_type %q needs schema", ot)
		}
		return nil
	}
	switch ot {
	case "database":
		return []string{"DATABASE " + qi(d.Get("database").(string))}, nil
	case "schema":
		if err := needSchema(); err != nil {
			return nil, err
		}
		return []string{"SCHEMA " + qi(sch)}, nil
	case "table", "sequence", "function", "procedure", "routine":
		if err := needSchema(); err != nil {
			return nil, err
		}
		kind := strings.ToUpper(ot)
		if len(objs) == 0 {
			return []string{"ALL " + kind + "S IN SCHEMA " + qi(sch)}, nil
		}
		return qualify(kind), nil
	case "column":
		if err := needSchema(); err != nil {
			return nil, err
		}
		if len(objs) != 1 || len(stringSet(d.Get("columns"))) == 0 {
			return nil, fmt.Errorf("object_type column needs exactly one table in objects and at least one column")
		}
		return qualify("TABLE"), nil
	case "foreign_data_wrapper", "foreign_server":
		if len(objs) == 0 {
			return nil, fmt.Errorf("object_type %q needs objects", ot)
		}
		kind := "FOREIGN DATA WRAPPER"
		if ot == "foreign_server" {
			kind = "FOREIGN SERVER"
		}
		out := []string{}
		for _, o := range objs {
			out = append(out, kind+" "+qi(o))
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported object_type %q", ot)
}

func grantStatements(d *schema.ResourceData, grant bool) ([]string, error) {
	targets, err := grantTargets(d)
	if err != nil {
		return nil, err
	}
	role := roleSQL(d.Get("role").(string))
	cols := ""
	if d.Get("object_type").(string) == "column" {
		q := []string{}
		for _, c := range stringSet(d.Get("columns")) {
			q = append(q, qi(c))
		}
		cols = " (" + strings.Join(q, ", ") + ")"
	}
	privs := stringSet(d.Get("privileges"))
	var stmts []string
	for _, t := range targets {
		if cols != "" {
			for _, p := range []string{"SELECT", "INSERT", "UPDATE", "REFERENCES"} {
				stmts = append(stmts, fmt.Sprintf("REVOKE %s%s ON %s FROM %s", p, cols, t, role))
			}
		} else {
			stmts = append(stmts, fmt.Sprintf("REVOKE ALL PRIVILEGES ON %s FROM %s", t, role))
		}
		if grant && len(privs) > 0 {
			ps := make([]string, len(privs))
			for i, p := range privs {
				ps[i] = strings.ToUpper(p) + cols
			}
			s := fmt.Sprintf("GRANT %s ON %s TO %s", strings.Join(ps, ", "), t, role)
			if d.Get("with_grant_option").(bool) {
				s += " WITH GRANT OPTION"
			}
			stmts = append(stmts, s)
		}
	}
	return stmts, nil
}

func grantID(d *schema.ResourceData) string {
	parts := []string{d.Get("role").(string), d.Get("database").(string)}
	if s := d.Get("schema").(string); s != "" {
		parts = append(parts, s)
	}
	parts = append(parts, d.Get("object_type").(string))
	if o := stringSet(d.Get("objects")); len(o) > 0 {
		parts = append(parts, strings.Join(o, ","))
	}
	if c := stringSet(d.Get("columns")); len(c) > 0 {
		parts = append(parts, strings.Join(c, ","))
	}
	return strings.Join(parts, "_")
}

func grantCreate(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	db, err := client(m).DB(d.Get("database").(string))
	if err != nil {
		return diag.FromErr(err)
	}
	stmts, err := grantStatements(d, true)
	if err != nil {
		return diag.FromErr(err)
	}
	if err := inTx(ctx, db, stmts...); err != nil {
		return diag.FromErr(err)
	}
	d.SetId(grantID(d))
	return grantRead(ctx, d, m)
}

// grantRead only checks that the role and database still exist (no privilege drift detection).
func grantRead(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	c := client(m)
	db, err := c.DB("")
	if err != nil {
		return diag.FromErr(err)
	}
	var ok bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1)`, d.Get("database").(string)).Scan(&ok); err != nil {
		return diag.FromErr(err)
	}
	if ok && !strings.EqualFold(d.Get("role").(string), "public") {
		if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)`, d.Get("role").(string)).Scan(&ok); err != nil {
			return diag.FromErr(err)
		}
	}
	if !ok {
		d.SetId("")
	}
	return nil
}

func grantDelete(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	diags := grantRead(ctx, d, m)
	if diags.HasError() || d.Id() == "" {
		d.SetId("")
		return diags
	}
	db, err := client(m).DB(d.Get("database").(string))
	if err != nil {
		return diag.FromErr(err)
	}
	stmts, err := grantStatements(d, false)
	if err != nil {
		return diag.FromErr(err)
	}
	if err := inTx(ctx, db, stmts...); err != nil {
		return diag.FromErr(err)
	}
	d.SetId("")
	return nil
}

// ---------------------------------------------------------------- postgresql_grant_role

func resourceGrantRole() *schema.Resource {
	return &schema.Resource{
		CreateContext: grantRoleCreate,
		ReadContext:   grantRoleRead,
		DeleteContext: grantRoleDelete,
		Schema: map[string]*schema.Schema{
			"role":              {Type: schema.TypeString, Required: true, ForceNew: true},
			"grant_role":        {Type: schema.TypeString, Required: true, ForceNew: true},
			"with_admin_option": {Type: schema.TypeBool, Optional: true, ForceNew: true, Default: false},
		},
	}
}

func grantRoleCreate(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	db, err := client(m).DB("")
	if err != nil {
		return diag.FromErr(err)
	}
	s := fmt.Sprintf("GRANT %s TO %s", qi(d.Get("grant_role").(string)), qi(d.Get("role").(string)))
	if d.Get("with_admin_option").(bool) {
		s += " WITH ADMIN OPTION"
	}
	if err := exec(ctx, db, s); err != nil {
		return diag.FromErr(err)
	}
	d.SetId(d.Get("role").(string) + "_" + d.Get("grant_role").(string))
	return grantRoleRead(ctx, d, m)
}

func grantRoleRead(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	db, err := client(m).DB("")
	if err != nil {
		return diag.FromErr(err)
	}
	var admin bool
	err = db.QueryRowContext(ctx, `SELECT am.admin_option FROM pg_catalog.pg_auth_members am
		JOIN pg_catalog.pg_roles r ON r.oid = am.roleid JOIN pg_catalog.pg_roles u ON u.oid = am.member
		WHERE r.rolname = $1 AND u.rolname = $2`, d.Get("grant_role").(string), d.Get("role").(string)).Scan(&admin)
	if err == sql.ErrNoRows {
		d.SetId("")
		return nil
	}
	if err != nil {
		return diag.FromErr(err)
	}
	d.Set("with_admin_option", admin)
	return nil
}

func grantRoleDelete(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	db, err := client(m).DB("")
	if err != nil {
		return diag.FromErr(err)
	}
	if err := exec(ctx, db, fmt.Sprintf("REVOKE %s FROM %s", qi(d.Get("grant_role").(string)), qi(d.Get("role").(string)))); err != nil {
		return diag.FromErr(err)
	}
	d.SetId("")
	return nil
}

// ---------------------------------------------------------------- postgresql_extension

func resourceExtension() *schema.Resource {
	return &schema.Resource{
		CreateContext: extensionCreate,
		ReadContext:   extensionRead,
		UpdateContext: extensionUpdate,
		DeleteContext: extensionDelete,
		Importer:      &schema.ResourceImporter{StateContext: schema.ImportStatePassthroughContext},
		Schema: map[string]*schema.Schema{
			"name":           {Type: schema.TypeString, Required: true, ForceNew: true},
			"schema":         {Type: schema.TypeString, Optional: true, Computed: true},
			"version":        {Type: schema.TypeString, Optional: true, Computed: true},
			"database":       {Type: schema.TypeString, Optional: true, Computed: true, ForceNew: true},
			"drop_cascade":   {Type: schema.TypeBool, Optional: true, Default: false},
			"create_cascade": {Type: schema.TypeBool, Optional: true, Default: false},
		},
	}
}

func extensionCreate(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	c := client(m)
	dbname := dbOrDefault(c, d)
	db, err := c.DB(dbname)
	if err != nil {
		return diag.FromErr(err)
	}
	name := d.Get("name").(string)
	s := "CREATE EXTENSION IF NOT EXISTS " + qi(name)
	if v := d.Get("schema").(string); v != "" {
		s += " SCHEMA " + qi(v)
	}
	if v := d.Get("version").(string); v != "" {
		s += " VERSION " + ql(v)
	}
	if d.Get("create_cascade").(bool) {
		s += " CASCADE"
	}
	if err := exec(ctx, db, s); err != nil {
		return diag.FromErr(err)
	}
	d.SetId(dbname + "." + name)
	return extensionRead(ctx, d, m)
}

func extensionRead(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	dbname, name, err := splitID(d.Id())
	if err != nil {
		return diag.FromErr(err)
	}
	db, err := client(m).DB(dbname)
	if err != nil {
		return diag.FromErr(err)
	}
	var sch, ver string
	err = db.QueryRowContext(ctx, `SELECT n.nspname, e.extversion FROM pg_catalog.pg_extension e
		JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1`, name).Scan(&sch, &ver)
	if err == sql.ErrNoRows {
		d.SetId("")
		return nil
	}
	if err != nil {
		return diag.FromErr(err)
	}
	d.Set("name", name)
	d.Set("database", dbname)
	d.Set("schema", sch)
	d.Set("version", ver)
	return nil
}

func extensionUpdate(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	dbname, name, err := splitID(d.Id())
	if err != nil {
		return diag.FromErr(err)
	}
	db, err := client(m).DB(dbname)
	if err != nil {
		return diag.FromErr(err)
	}
	var stmts []string
	if d.HasChange("schema") && d.Get("schema").(string) != "" {
		stmts = append(stmts, fmt.Sprintf("ALTER EXTENSION %s SET SCHEMA %s", qi(name), qi(d.Get("schema").(string))))
	}
	if d.HasChange("version") && d.Get("version").(string) != "" {
		stmts = append(stmts, fmt.Sprintf("ALTER EXTENSION %s UPDATE TO %s", qi(name), ql(d.Get("version").(string))))
	}
	if err := inTx(ctx, db, stmts...); err != nil {
		return diag.FromErr(err)
	}
	return extensionRead(ctx, d, m)
}

func extensionDelete(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	dbname, name, err := splitID(d.Id())
	if err != nil {
		return diag.FromErr(err)
	}
	db, err := client(m).DB(dbname)
	if err != nil {
		return diag.FromErr(err)
	}
	s := "DROP EXTENSION IF EXISTS " + qi(name)
	if d.Get("drop_cascade").(bool) {
		s += " CASCADE"
	}
	if err := exec(ctx, db, s); err != nil {
		return diag.FromErr(err)
	}
	d.SetId("")
	return nil
}
