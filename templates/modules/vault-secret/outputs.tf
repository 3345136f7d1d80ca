# Where the secret is and who may read it; never the data.

output "mount" {
  description = "The KV version 2 mount the secret is in."
  value       = vault_kv_secret_v2.this.mount
}

output "path" {
  description = "Path of the secret below the mount (read it at <mount>/data/<path>)."
  value       = vault_kv_secret_v2.this.name
}

output "policy_name" {
  description = "The ACL policy granting read on the secret."
  value       = vault_policy.read.name
}
