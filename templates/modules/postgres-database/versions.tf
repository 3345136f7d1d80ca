terraform {
  required_version = ">= 1.6.0"

  required_providers {
    postgresql = {
      source  = "cyrilgdn/postgresql"
      version = "~> 1.25"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5.0"
    }
    vault = {
      source  = "hashicorp/vault"
      version = ">= 4.0.0"
    }
  }
}

# Configured from the environment, which the runner sets from app-config:
# postgresql from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE (a role that may
# create roles and databases); vault from VAULT_ADDR, VAULT_TOKEN. The vault
# provider is passed down to module.credentials. No backend: the runner adds it.
provider "postgresql" {}
provider "random" {}
provider "vault" {}
