output "namespaces" {
  description = "Environment name => namespace name, as created."
  value       = { for env, namespace in kubernetes_namespace_v1.this : env => namespace.metadata[0].name }
}

output "service_account" {
  description = "Name of the service's ServiceAccount (the same in every namespace)."
  value       = var.service

  # Known only once every ServiceAccount exists.
  depends_on = [kubernetes_service_account_v1.this]
}
