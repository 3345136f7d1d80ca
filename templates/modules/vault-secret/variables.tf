variable "mount" {
  description = "Path of the KV version 2 secrets engine to write to."
  type        = string
  default     = "secret"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$", var.mount))
    error_message = "mount must be a Vault mount path such as \"secret\" (letters, digits, \"-\", \"_\", no leading or trailing \"/\")."
  }
}

variable "path" {
  description = "Path of the secret below the mount, e.g. services/orders-api/database."
  type        = string

  validation {
    # No globs (* +) and no empty, "." or ".." segments: the path goes verbatim into an ACL policy.
    condition = (
      can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.path)) &&
      !contains(split("/", var.path), ".") &&
      !contains(split("/", var.path), "..")
    )
    error_message = "path must be segments of letters, digits, \"-\", \"_\" and \".\" separated by \"/\" (no leading or trailing \"/\", no \"*\" or \"+\", no \".\" or \"..\" segments)."
  }
}

variable "data" {
  description = "The secret's key/value pairs. Sensitive: never shown in plans, logs or outputs."
  type        = map(string)
  sensitive   = true

  validation {
    condition     = length(var.data) > 0
    error_message = "data must have at least one key."
  }
}

variable "policy_name" {
  description = "Name of the Vault ACL policy to create that grants read on this secret (and nothing else), e.g. orders-api-database-read."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_.-]{0,127}$", var.policy_name)) && !contains(["root", "default"], var.policy_name)
    error_message = "policy_name must be lowercase letters, digits, \"-\", \"_\" and \".\" (at most 128 characters), and not \"root\" or \"default\"."
  }
}
