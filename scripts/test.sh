#!/usr/bin/env bash
# test.sh - runs every Kiln test. On a fresh Debian 12 machine it installs
# what is missing, builds, and runs:
#   1. the sanitizer flavour (ASan+UBSan, libFuzzer; the parts without MLIR):
#      unit tests, CLI corpus tests, a bounded fuzzing run;
#   2. the full build: GoogleTest and lit suites through ctest.
# Stops at the first failing stage; ctest's summary of the full build is the
# last line printed.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$KILN_ROOT"

kiln_install_packages

SAN_DIR=${KILN_SAN_BUILD_DIR:-$KILN_ROOT/build-san}
kiln_configure "$SAN_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKILN_BUILD_COMPILER=OFF -DKILN_BUILD_BENCHMARKS=OFF \
  -DKILN_SANITIZE=ON -DKILN_BUILD_FUZZERS=ON -DKILN_WERROR=ON
kiln_build "$SAN_DIR"
kiln_log "Sanitizer flavour: ctest"
(cd "$SAN_DIR" && ctest --output-on-failure -j"$(nproc)")

BUILD_DIR=${KILN_BUILD_DIR:-$KILN_ROOT/build}
kiln_configure "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DKILN_WERROR=ON
kiln_build "$BUILD_DIR"
kiln_log "Full build: ctest"
cd "$BUILD_DIR" && ctest --output-on-failure -j"$(nproc)"
