variable "service" {
  description = "The service's name, e.g. orders-api. Names the Vault policy <service>-database-read."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,56}[a-z0-9])?$", var.service))
    error_message = "service must be lowercase letters, digits and \"-\", start with a letter, not end with \"-\", and have at most 58 characters."
  }
}

variable "database_name" {
  description = "Name of the database to create, e.g. orders_api. Its owner, the service's login role, is named <database_name>_owner."
  type        = string

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,56}$", var.database_name))
    error_message = "database_name must be a lowercase identifier: lowercase letters, digits and \"_\", not starting with a digit, at most 57 characters."
  }
}

variable "host" {
  description = "Host name the service connects to (written to Vault; may differ from the host the runner reaches PostgreSQL at)."
  type        = string

  validation {
    condition     = length(trimspace(var.host)) > 0 && !can(regex("[\\s/@:]", var.host))
    error_message = "host must be a host name or IPv4 address, without scheme, port or credentials."
  }
}

variable "port" {
  description = "Port the service connects to."
  type        = number
  default     = 5432

  validation {
    condition     = var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "port must be a whole number between 1 and 65535."
  }
}

variable "vault_mount" {
  description = "KV version 2 mount the credentials are written to."
  type        = string
  default     = "secret"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$", var.vault_mount))
    error_message = "vault_mount must be a Vault mount path such as \"secret\" (letters, digits, \"-\", \"_\", no leading or trailing \"/\")."
  }
}

variable "vault_path" {
  description = "Path below vault_mount for the credentials, e.g. services/orders-api/database. The secret holds username, password, host, port, database and url."
  type        = string

  validation {
    condition = (
      can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.vault_path)) &&
      !contains(split("/", var.vault_path), ".") &&
      !contains(split("/", var.vault_path), "..")
    )
    error_message = "vault_path must be segments of letters, digits, \"-\", \"_\" and \".\" separated by \"/\" (no leading or trailing \"/\", no \"*\" or \"+\", no \".\" or \"..\" segments)."
  }
}

variable "size" {
  description = "small, medium or large: the connections the service's role and database accept (10, 25, 50). No storage quota: PostgreSQL has none per database."
  type        = string
  default     = "small"

  validation {
    condition     = contains(["small", "medium", "large"], var.size)
    error_message = "size must be one of small, medium, large."
  }
}
