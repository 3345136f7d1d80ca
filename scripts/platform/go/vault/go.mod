// Wrapper module that builds HashiCorp Vault v1.14.2 (MPL-2.0) from the Go module proxy.
//
// Vault's own go.mod replaces ./api, ./sdk and ./api/auth/* with local paths, so
// `go install github.com/hashicorp/vault@v1.14.2` is refused; here those modules are pinned to
// their published versions of the same release instead (Vault v1.14.2's go.mod itself names
// api v1.9.2 and sdk v0.9.2). Vault's go.mod has no other replace lines.
//
// One build-time patch (scripts/platform/lib/vault.sh applies it to a copy of sdk v0.9.2 and
// builds with -modfile): sdk v0.9.2 was tagged on Vault's main branch and added a start-up
// assertion ("Pattern ... defines a CreateOperation but no ExistenceCheck") that Vault 1.14's
// own sdk did not have; Vault 1.14's sys/managed-keys paths trip it and the server panics on its
// first request. The patch removes only that assertion.
//
// Why 1.14.2 and not a later 1.14.x: from v1.14.3 on, Vault's code uses sdk additions made on
// its release branch only (logical.CtxKeyRequestRole, logical.CreateContextOriginalBody,
// physical.FencingHABackend) together with the old logical.EventSender; no published sdk has
// both, so v1.14.3..v1.14.10 do not compile against any published sdk. v1.14.0..v1.14.2 need
// sdk v0.9.2 (certutil.ParseBasicConstraintExtension, keysutil.Policy.WrapKey).
//
// Build by hand (without the patch the server panics at start):
//   go build -mod=readonly -trimpath -ldflags "-s -w" -o vault github.com/hashicorp/vault
module paved.local/build/vault

go 1.20

require github.com/hashicorp/vault v1.14.2

replace (
	github.com/hashicorp/vault/api => github.com/hashicorp/vault/api v1.9.2
	github.com/hashicorp/vault/api/auth/approle => github.com/hashicorp/vault/api/auth/approle v0.4.1
	github.com/hashicorp/vault/api/auth/kubernetes => github.com/hashicorp/vault/api/auth/kubernetes v0.4.1
	github.com/hashicorp/vault/api/auth/userpass => github.com/hashicorp/vault/api/auth/userpass v0.4.1
	github.com/hashicorp/vault/sdk => github.com/hashicorp/vault/sdk v0.9.2
)
