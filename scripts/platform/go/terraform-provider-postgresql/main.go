// Paved's stand-in for the cyrilgdn/postgresql Terraform/OpenTofu provider.
//
// The real provider (github.com/cyrilgdn/terraform-provider-postgresql) cannot be fetched
// on Paved's machines: its go.mod declares another module path, so the Go module proxy does
// not serve it, and the public provider registries are unreachable. This program implements
// the same provider address, provider block and the resources Paved's modules use
// (postgresql_role, postgresql_database, postgresql_schema, postgresql_grant,
// postgresql_grant_role, postgresql_extension) with the same attribute names, written
// from the PostgreSQL documentation. See docs/platform/vault-and-tofu.md for what it omits.
package main

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/hashicorp/terraform-plugin-sdk/v2/plugin"

	"paved.local/terraform-provider-postgresql/postgresql"
)

var version = "dev"

func main() {
	plugin.Serve(&plugin.ServeOpts{
		ProviderFunc: func() *schema.Provider { return postgresql.Provider(version) },
	})
}
