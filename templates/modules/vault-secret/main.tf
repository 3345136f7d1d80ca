resource "vault_kv_secret_v2" "this" {
  mount     = var.mount
  name      = var.path
  data_json = jsonencode(var.data)

  # Destroy removes every version and the metadata, not only the latest version.
  delete_all_versions = true
}

resource "vault_policy" "read" {
  name = var.policy_name

  policy = <<-EOT
    # Managed by OpenTofu (templates/modules/vault-secret): read ${var.mount}/${var.path} only.
    path "${var.mount}/data/${var.path}" {
      capabilities = ["read"]
    }

    path "${var.mount}/metadata/${var.path}" {
      capabilities = ["read"]
    }
  EOT
}
