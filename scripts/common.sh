# common.sh - shared by scripts/demo.sh and scripts/test.sh (sourced, not run).
#
# Installs the Debian packages Kiln needs when any is missing (a quick no-op
# when all are present), and configures/builds a CMake build directory with
# clang-19, Ninja and ccache.

KILN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Everything the build, the tests and the demo use. Keep in sync with the
# README's "Dependencies" section.
KILN_PACKAGES=(
  cmake ninja-build ccache python3
  clang-19 libclang-rt-19-dev clang-format-19
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools libzstd-dev
  libflatbuffers-dev flatbuffers-compiler
  libgtest-dev libbenchmark-dev libeigen3-dev zlib1g-dev
  dataset-fashion-mnist
)

kiln_log() { printf '\n==> %s\n' "$*"; }

# Installs missing packages with apt-get, as root or through sudo.
kiln_install_packages() {
  local missing=() p
  for p in "${KILN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  kiln_log "Installing missing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || {
      echo "error: packages missing (${missing[*]}) and not root; no sudo available" >&2
      return 1
    }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# kiln_configure <build-dir> [extra cmake args...]: configures once; later
# calls reuse the cache (cmake re-runs by itself when CMakeLists change).
kiln_configure() {
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then return 0; fi
  kiln_log "Configuring $dir"
  cmake -G Ninja -S "$KILN_ROOT" -B "$dir" \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    "$@"
}

kiln_build() {
  kiln_log "Building $1"
  cmake --build "$1" -j"$(nproc)"
}

# Paths relative to the checkout make ccache hit across clones and build dirs
# (TOOLCHAIN.md §7).
export CCACHE_BASEDIR="$KILN_ROOT"
export CCACHE_NOHASHDIR=1
