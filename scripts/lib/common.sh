# Shared by scripts/build, scripts/test and scripts/demo: install what is missing, build both flavours.
# Sourced, not run. Everything comes from Debian's apt archive and the npm registry.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

# Debian packages each purpose needs.
PACKAGES_BUILD=(g++ cmake make pkg-config dpkg-dev ca-certificates emscripten
  libsentencepiece-dev libutf8proc-dev libboost-test-dev libboost-dev nlohmann-json3-dev python3 python3-yaml python3-numpy brotli)
PACKAGES_BUILD+=(binaryen)  # wasm-opt, for ONNX Runtime's trimmed wasm (widget/ort-trim.js); emscripten needs it too
PACKAGES_BROWSER=(chromium)
# gem-server (built with the native build): SQLite for live data and analytics, libpq for PostgreSQL analytics.
PACKAGES_BUILD+=(libsqlite3-dev libpq-dev)
# gem-server's handover and sign-in: libsodium (Argon2id, tokens), hiredis (shared state), OpenSSL (webhook HMAC).
PACKAGES_BUILD+=(libsodium-dev libhiredis-dev libssl-dev)
# scripts/test: a real PostgreSQL on loopback for the server's analytics test.
PACKAGES_SERVER_TEST=(postgresql sqlite3)  # sqlite3: the samples test reads the data file as a privacy officer would
# scripts/test: a real Redis on loopback for two gem-server instances sharing a handover.
PACKAGES_SERVER_TEST+=(redis-server)
# scripts/test: libFuzzer (clang with its sanitizer runtimes) for tests/fuzz/run.
PACKAGES_FUZZ=(clang libclang-rt-14-dev)
# scripts/bench only (the peers it compares with, and the server load generator); not part of CI.
PACKAGES_BENCH=(python3-sklearn python3-fasttext fasttext wrk)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]} (run as root, or apt-get install them)"
  say "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_node() {
  # Node and npm may come with the machine image (newer than Debian's); Debian's otherwise.
  command -v node >/dev/null && command -v npm >/dev/null || ensure_packages nodejs npm
}

ensure_npm() {
  ensure_node
  # Locked versions; `npm ci` only when package-lock.json changed since the last install.
  if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.gem-installed-lock; then
    say "Installing npm packages (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.gem-installed-lock
  fi
}

build_native() {
  say "Building native (g++)"
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/native -j"$(nproc)"
}

# The widget bundles and the content packs it loads (build/widget, build/content).
build_widget() {
  say "Building content packs and the widget"
  # &&: a caller without set -e (scripts/test's steps) must see a failed content build too.
  scripts/gem content build && node widget/build.js
}

build_wasm() {
  say "Building WebAssembly (emscripten)"
  scripts/lib/third-party-sources build/third_party
  export NODE_PATH=/usr/share/nodejs
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=MinSizeRel >/dev/null
  cmake --build build/wasm -j"$(nproc)"
}
