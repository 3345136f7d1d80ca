output "database" {
  description = "Name of the database."
  value       = postgresql_database.this.name
}

output "username" {
  description = "The service's login role, owner of the database."
  value       = postgresql_role.owner.name
}

output "vault_path" {
  description = "Path of the credentials below vault_mount."
  value       = module.credentials.path
}

output "policy_name" {
  description = "Vault policy granting read on the credentials: attach it to the service's Vault role."
  value       = module.credentials.policy_name
}

output "password" {
  description = "The role's password. Services read it from Vault; it is an output only so automation can hand it on without reading Vault."
  value       = random_password.this.result
  sensitive   = true
}

output "connection_limit" {
  description = "Connections the role and the database accept, from size."
  value       = local.connection_limit
}
