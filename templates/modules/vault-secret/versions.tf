terraform {
  required_version = ">= 1.6.0"

  required_providers {
    vault = {
      source  = "hashicorp/vault"
      version = ">= 4.0.0"
    }
  }
}

# No provider block: this module is also called by other modules
# (postgres-database), which pass their vault provider down. Run as a root
# module, the provider is configured from the environment (VAULT_ADDR,
# VAULT_TOKEN), exactly as an empty `provider "vault" {}` would be.
