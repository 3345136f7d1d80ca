package postgresql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-sdk/v2/diag"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

func resourceDatabase() *schema.Resource {
	return &schema.Resource{
		CreateContext: databaseCreate,
		ReadContext:   databaseRead,
		UpdateContext: databaseUpdate,
		DeleteContext: databaseDelete,
		Importer:      &schema.ResourceImporter{StateContext: schema.ImportStatePassthroughContext},
		Schema: map[string]*schema.Schema{
			"name":                   {Type: schema.TypeString, Required: true},
			"owner":                  {Type: schema.TypeString, Optional: true, Computed: true},
			"template":               {Type: schema.TypeString, Optional: true, Computed: true, ForceNew: true},
			"encoding":               {Type: schema.TypeString, Optional: true, Computed: true, ForceNew: true},
			"lc_collate":             {Type: schema.TypeString, Optional: true, Computed: true, ForceNew: true},
			"lc_ctype":               {Type: schema.TypeString, Optional: true, Computed: true, ForceNew: true},
			"tablespace_name":        {Type: schema.TypeString, Optional: true, Computed: true},
			"connection_limit":       {Type: schema.TypeInt, Optional: true, Default: -1},
			"allow_connections":      {Type: schema.TypeBool, Optional: true, Default: true},
			"is_template":            {Type: schema.TypeBool, Optional: true, Computed: true},
			"alter_object_ownership": {Type: schema.TypeBool, Optional: true, Default: false},
		},
	}
}

func databaseCreate(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	db, err := client(m).DB("")
	if err != nil {
		return diag.FromErr(err)
	}
	name := d.Get("name").(string)
	var opts []string
	if v := d.Get("owner").(string); v != "" {
		opts = append(opts, "OWNER "+qi(v))
	}
	if v := d.Get("template").(string); v != "" {
		opts = append(opts, "TEMPLATE "+qi(v))
	} else {
		opts = append(opts, "TEMPLATE template0")
	}
	if v := d.Get("encoding").(string); v != "" {
		opts = append(opts, "ENCODING "+ql(v))
	}
	if v := d.Get("lc_collate").(string); v != "" {
		opts = append(opts, "LC_COLLATE "+ql(v))
	}
	if v := d.Get("lc_ctype").(string); v != "" {
		opts = append(opts, "LC_CTYPE "+ql(v))
	}
	if v := d.Get("tablespace_name").(string); v != "" {
		opts = append(opts, "TABLESPACE "+qi(v))
	}
	opts = append(opts, fmt.Sprintf("ALLOW_CONNECTIONS %t CONNECTION LIMIT %d", d.Get("allow_connections").(bool), d.Get("connection_limit").(int)))
	if v, ok := d.GetOk("is_template"); ok {
		opts = append(opts, fmt.Sprintf("IS_TEMPLATE %t", v.(bool)))
	}
	// CREATE DATABASE cannot run inside a transaction block
	if err := exec(ctx, db, fmt.Sprintf("CREATE DATABASE %s WITH %s", qi(name), strings.Join(opts, " "))); err != nil {
		return diag.FromErr(err)
	}
	d.SetId(name)
	return databaseRead(ctx, d, m)
}

func databaseRead(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	db, err := client(m).DB("")
	if err != nil {
		return diag.FromErr(err)
	}
	var owner, encoding, collate, ctype, tablespace string
	var connLimit int
	var allowConn, isTemplate bool
	err = db.QueryRowContext(ctx, `SELECT pg_catalog.pg_get_userbyid(d.datdba), pg_catalog.pg_encoding_to_char(d.encoding),
		d.datcollate, d.datctype, t.spcname, d.datconnlimit, d.datallowconn, d.datistemplate
		FROM pg_catalog.pg_database d JOIN pg_catalog.pg_tablespace t ON t.oid = d.dattablespace
		WHERE d.datname = $1`, d.Id()).Scan(&owner, &encoding, &collate, &ctype, &tablespace, &connLimit, &allowConn, &isTemplate)
	if err == sql.ErrNoRows {
		d.SetId("")
		return nil
	}
	if err != nil {
		return diag.FromErr(err)
	}
	d.Set("name", d.Id())
	d.Set("owner", owner)
	d.Set("encoding", encoding)
	d.Set("lc_collate", collate)
	d.Set("lc_ctype", ctype)
	d.Set("tablespace_name", tablespace)
	d.Set("connection_limit", connLimit)
	d.Set("allow_connections", allowConn)
	d.Set("is_template", isTemplate)
	if d.Get("template").(string) == "" {
		d.Set("template", "template0")
	}
	return nil
}

func databaseUpdate(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	c := client(m)
	db, err := c.DB("")
	if err != nil {
		return diag.FromErr(err)
	}
	if d.HasChange("name") {
		o, n := d.GetChange("name")
		if err := exec(ctx, db, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", qi(o.(string)), qi(n.(string)))); err != nil {
			return diag.FromErr(err)
		}
		d.SetId(n.(string))
	}
	name := qi(d.Id())
	var stmts []string
	if d.HasChange("owner") && d.Get("owner").(string) != "" {
		o, _ := d.GetChange("owner")
		stmts = append(stmts, fmt.Sprintf("ALTER DATABASE %s OWNER TO %s", name, qi(d.Get("owner").(string))))
		if d.Get("alter_object_ownership").(bool) && o.(string) != "" {
			ddb, err := c.DB(d.Id())
			if err != nil {
				return diag.FromErr(err)
			}
			if err := exec(ctx, ddb, fmt.Sprintf("REASSIGN OWNED BY %s TO %s", qi(o.(string)), qi(d.Get("owner").(string)))); err != nil {
				return diag.FromErr(err)
			}
		}
	}
	if d.HasChange("connection_limit") {
		stmts = append(stmts, fmt.Sprintf("ALTER DATABASE %s CONNECTION LIMIT %d", name, d.Get("connection_limit").(int)))
	}
	if d.HasChange("allow_connections") {
		stmts = append(stmts, fmt.Sprintf("ALTER DATABASE %s ALLOW_CONNECTIONS %t", name, d.Get("allow_connections").(bool)))
	}
	if d.HasChange("is_template") {
		stmts = append(stmts, fmt.Sprintf("ALTER DATABASE %s IS_TEMPLATE %t", name, d.Get("is_template").(bool)))
	}
	if d.HasChange("tablespace_name") && d.Get("tablespace_name").(string) != "" {
		stmts = append(stmts, fmt.Sprintf("ALTER DATABASE %s SET TABLESPACE %s", name, qi(d.Get("tablespace_name").(string))))
	}
	if err := exec(ctx, db, stmts...); err != nil {
		return diag.FromErr(err)
	}
	return databaseRead(ctx, d, m)
}

func databaseDelete(ctx context.Context, d *schema.ResourceData, m interface{}) diag.Diagnostics {
	c := client(m)
	db, err := c.DB("")
	if err != nil {
		return diag.FromErr(err)
	}
	name := d.Id()
	c.mu.Lock()
	if p, ok := c.pools[name]; ok {
		p.Close()
		delete(c.pools, name)
	}
	c.mu.Unlock()
	stmts := []string{}
	if d.Get("is_template").(bool) {
		stmts = append(stmts, fmt.Sprintf("ALTER DATABASE %s IS_TEMPLATE false", qi(name)))
	}
	stmts = append(stmts,
		fmt.Sprintf("ALTER DATABASE %s ALLOW_CONNECTIONS false", qi(name)),
		fmt.Sprintf("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = %s AND pid <> pg_catalog.pg_backend_pid()", ql(name)),
		fmt.Sprintf("DROP DATABASE IF EXISTS %s", qi(name)),
	)
	if err := exec(ctx, db, stmts...); err != nil {
		return diag.FromErr(err)
	}
	d.SetId("")
	return nil
}
