locals {
  # A label value: at most 63 characters of [A-Za-z0-9_.-], starting and ending
  # with a letter or digit. group:default/storefront-team => group-default-storefront-team
  owner_label = trim(substr(trim(replace(lower(var.owner), "/[^a-z0-9_.-]+/", "-"), "-_."), 0, 63), "-_.")

  labels = {
    "app.kubernetes.io/part-of"    = var.service
    "app.kubernetes.io/managed-by" = "paved"
    "paved.dev/owner"              = local.owner_label
  }

  # Per namespace. Limits are twice the requests.
  quotas = {
    experimental = {
      "requests.cpu"           = "1"
      "requests.memory"        = "2Gi"
      "limits.cpu"             = "2"
      "limits.memory"          = "4Gi"
      "pods"                   = "10"
      "services"               = "5"
      "persistentvolumeclaims" = "2"
    }
    standard = {
      "requests.cpu"           = "4"
      "requests.memory"        = "8Gi"
      "limits.cpu"             = "8"
      "limits.memory"          = "16Gi"
      "pods"                   = "30"
      "services"               = "10"
      "persistentvolumeclaims" = "5"
    }
    critical = {
      "requests.cpu"           = "16"
      "requests.memory"        = "32Gi"
      "limits.cpu"             = "32"
      "limits.memory"          = "64Gi"
      "pods"                   = "100"
      "services"               = "20"
      "persistentvolumeclaims" = "20"
    }
  }

  # Defaults for containers that state no resources: with a quota on requests
  # and limits, Kubernetes refuses such Pods otherwise.
  container_defaults = {
    experimental = { request = { cpu = "50m", memory = "64Mi" }, limit = { cpu = "250m", memory = "256Mi" } }
    standard     = { request = { cpu = "100m", memory = "128Mi" }, limit = { cpu = "500m", memory = "512Mi" } }
    critical     = { request = { cpu = "250m", memory = "256Mi" }, limit = { cpu = "1", memory = "1Gi" } }
  }
}

resource "kubernetes_namespace_v1" "this" {
  for_each = var.namespaces

  metadata {
    name   = each.value
    labels = merge(local.labels, { "paved.dev/environment" = each.key })
  }
}

resource "kubernetes_resource_quota_v1" "this" {
  for_each = var.namespaces

  metadata {
    name      = "paved-quota"
    namespace = kubernetes_namespace_v1.this[each.key].metadata[0].name
    labels    = merge(local.labels, { "paved.dev/tier" = var.tier })
  }

  spec {
    hard = local.quotas[var.tier]
  }
}

resource "kubernetes_limit_range_v1" "this" {
  for_each = var.namespaces

  metadata {
    name      = "paved-defaults"
    namespace = kubernetes_namespace_v1.this[each.key].metadata[0].name
    labels    = merge(local.labels, { "paved.dev/tier" = var.tier })
  }

  spec {
    limit {
      type            = "Container"
      default_request = local.container_defaults[var.tier].request
      default         = local.container_defaults[var.tier].limit
    }
  }
}

resource "kubernetes_service_account_v1" "this" {
  for_each = var.namespaces

  metadata {
    name      = var.service
    namespace = kubernetes_namespace_v1.this[each.key].metadata[0].name
    labels    = local.labels
  }
}

resource "kubernetes_role_v1" "read" {
  for_each = var.namespaces

  metadata {
    name      = "${var.service}-read"
    namespace = kubernetes_namespace_v1.this[each.key].metadata[0].name
    labels    = local.labels
  }

  rule {
    api_groups = [""]
    resources  = ["configmaps", "secrets", "pods"]
    verbs      = ["get", "list", "watch"]
  }
}

resource "kubernetes_role_binding_v1" "read" {
  for_each = var.namespaces

  metadata {
    name      = "${var.service}-read"
    namespace = kubernetes_namespace_v1.this[each.key].metadata[0].name
    labels    = local.labels
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.read[each.key].metadata[0].name
  }

  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.this[each.key].metadata[0].name
    namespace = kubernetes_namespace_v1.this[each.key].metadata[0].name
  }
}
