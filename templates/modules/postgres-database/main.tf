locals {
  username = "${var.database_name}_owner"
  # What a size is on a shared PostgreSQL: the connections the service may hold
  # (on its login role and on the database). PostgreSQL has no per-database
  # storage quota, so none is claimed; see README.md.
  connection_limits = {
    small  = 10
    medium = 25
    large  = 50
  }
  connection_limit = local.connection_limits[var.size]
}

# Letters and digits only, so the password needs no escaping in the URL.
resource "random_password" "this" {
  length  = 32
  special = false
}

resource "postgresql_role" "owner" {
  name     = local.username
  login    = true
  password = random_password.this.result

  connection_limit = local.connection_limit
}

resource "postgresql_database" "this" {
  name  = var.database_name
  owner = postgresql_role.owner.name

  connection_limit = local.connection_limit
}

module "credentials" {
  source = "../vault-secret"

  mount       = var.vault_mount
  path        = var.vault_path
  policy_name = "${var.service}-database-read"
  data = {
    username = postgresql_role.owner.name
    password = random_password.this.result
    host     = var.host
    port     = tostring(var.port)
    database = postgresql_database.this.name
    url      = "postgresql://${postgresql_role.owner.name}:${random_password.this.result}@${var.host}:${var.port}/${postgresql_database.this.name}"
  }
}
