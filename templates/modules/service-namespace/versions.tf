terraform {
  required_version = ">= 1.6.0"

  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.25.0"
    }
  }
}

# Configured from the environment (KUBE_CONFIG_PATH, KUBE_CTX, ...), which the
# runner sets from app-config; no backend: the runner adds the pg backend.
provider "kubernetes" {}
