variable "service" {
  description = "The service's name (its catalog entity name), e.g. orders-api. Names the ServiceAccount and the Role and labels every object."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,56}[a-z0-9])?$", var.service))
    error_message = "service must be lowercase letters, digits and \"-\", start with a letter, not end with \"-\", and have at most 58 characters."
  }
}

variable "owner" {
  description = "The owning team as a catalog entity reference, e.g. group:default/storefront-team. Stored in the label paved.dev/owner, sanitised to a label value (group-default-storefront-team)."
  type        = string

  validation {
    condition     = can(regex("[A-Za-z0-9]", var.owner))
    error_message = "owner must contain at least one letter or digit."
  }
}

variable "tier" {
  description = "How much the service may use in each namespace: experimental, standard or critical (sizes the ResourceQuota and the LimitRange defaults)."
  type        = string
  default     = "standard"

  validation {
    condition     = contains(["experimental", "standard", "critical"], var.tier)
    error_message = "tier must be one of experimental, standard, critical."
  }
}

variable "namespaces" {
  description = "Environment name => namespace name, e.g. { staging = \"orders-api-staging\", production = \"orders-api-production\" }. One namespace is created per entry."
  type        = map(string)

  validation {
    condition     = length(var.namespaces) > 0
    error_message = "namespaces must name at least one environment."
  }

  validation {
    condition = alltrue([
      for env, namespace in var.namespaces :
      can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", namespace)) &&
      can(regex("^[a-z0-9]([a-z0-9_.-]{0,61}[a-z0-9])?$", env))
    ])
    error_message = "Each namespace must be a DNS label (lowercase letters, digits and \"-\", at most 63 characters, starting and ending with a letter or digit); each environment name lowercase letters, digits, \"-\", \"_\" and \".\"."
  }

  validation {
    condition     = length(distinct(values(var.namespaces))) == length(var.namespaces)
    error_message = "Two environments cannot share a namespace."
  }
}
