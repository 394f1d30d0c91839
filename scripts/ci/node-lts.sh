#!/usr/bin/env bash
# CI's pass on the Node.js LTS line the image runs (.ci/run calls it after `npm test` on the machine's Node):
# that Node from the npm registry's binary package (node-linux-<arch>, cached outside the clone), a fresh
# `npm ci` with it in a copy of the checkout (better-sqlite3 compiled against that Node's own headers, which
# the package ships in include/node; no EBADENGINE warning allowed), then the unit suite and the smoke
# integration run (test/integration/smoke) on it, against the engines already running (.stack is shared).
#
#   bash scripts/ci/node-lts.sh            NODE_LTS_VERSION=24.22.3 by default
set -euo pipefail
NODE_LTS_VERSION="${NODE_LTS_VERSION:-24.22.3}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
started=$(date +%s)
log() { echo "[node-lts +$(( $(date +%s) - started ))s] $*"; }
fail() { log "FAILED: $*"; exit 1; }

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) fail "no node-linux package for $(uname -m)" ;;
esac
cache="${XDG_CACHE_HOME:-$HOME/.cache}/pharos/node-$NODE_LTS_VERSION"
work="$(mktemp -d "${TMPDIR:-/tmp}/pharos-node-lts.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The binary package holds bin/node and include/node (headers, common.gypi, config.gypi); no npm.
if [ "$("$cache/bin/node" --version 2>/dev/null)" != "v$NODE_LTS_VERSION" ]; then
  log "fetching node-linux-$arch@$NODE_LTS_VERSION from the npm registry into $cache"
  (cd "$work" && npm pack "node-linux-$arch@$NODE_LTS_VERSION" --silent >/dev/null)
  mkdir -p "$work/unpacked" "$(dirname "$cache")"
  tar -xzf "$work"/node-linux-"$arch"-*.tgz -C "$work/unpacked"
  rm -rf "$cache" && mv "$work/unpacked/package" "$cache"
fi
[ "$("$cache/bin/node" --version)" = "v$NODE_LTS_VERSION" ] || fail "$cache/bin/node is not v$NODE_LTS_VERSION"
[ -f "$cache/include/node/common.gypi" ] || fail "$cache has no include/node headers to build native modules against"

# A copy of the checkout as it is (tracked and untracked files, not ignored ones), with ../shared beside it
# as the tests expect (NODE_LTS_SHARED_DIR names another), and the running engines' state folder.
# The engines are the main checkout's (started by .ci/run, or here if they are not running, unless
# PHAROS_STACK=skip says they are managed by hand); the copy's tests use them as they are.
if [ "${PHAROS_STACK:-}" != skip ]; then (cd "$repo" && npm run --silent stack -- up); fi
export PHAROS_STACK=skip
mkdir -p "$work/pharos"
# (.stack and node_modules may be links in a second worktree: git does not ignore those, they are left out.)
git -C "$repo" ls-files -z --cached --others --exclude-standard \
  | grep -zv -e '^\.stack$' -e '^node_modules$' \
  | (cd "$repo" && tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null) \
  | tar -xf - -C "$work/pharos"
# A git index of its own: tests list tracked files with git ls-files.
git -C "$work/pharos" init -q && git -C "$work/pharos" add -A
ln -sn "$(readlink -f "$repo/.stack")" "$work/pharos/.stack"
shared="${NODE_LTS_SHARED_DIR:-$repo/../shared}"
if [ -d "$shared" ]; then ln -s "$(readlink -f "$shared")" "$work/shared"; fi

export PATH="$cache/bin:$PATH"
# node-gyp builds better-sqlite3 against these headers (the machine's npm config names /usr, the system
# Node's), after prebuild-install finds no prebuilt binary it could download.
export npm_config_nodedir="$cache"
cd "$work/pharos"
log "Node LTS pass on node $(node --version) ($(command -v node)), npm $(npm --version)"

log "npm ci"
npm ci --no-audit --no-fund 2>&1 | tee "$work/npm-ci.log"
if grep -q EBADENGINE "$work/npm-ci.log"; then fail "npm ci on node $(node --version) warned EBADENGINE"; fi
node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()" \
  || fail "better-sqlite3 does not load on node $(node --version)"

log "unit tests on node $(node --version)"
npx vitest run --project unit
log "smoke integration run on node $(node --version)"
npx vitest run --project integration test/integration/smoke
log "Node LTS pass on node $(node --version): passed"
