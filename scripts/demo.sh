#!/usr/bin/env bash
# demo.sh - Kiln's main job. On a fresh Debian 12 machine it installs what is
# missing, builds, and runs the tools end to end.
#
# Today (foundation stage) that is: build an example model file from its JSON
# form with flatc, load and summarize it with kiln-inspect, and run kiln-opt
# on the same network written in the `nn` dialect. Later stages grow this into
# train on Fashion-MNIST -> compile -> run the compiled library.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$KILN_ROOT"

kiln_install_packages
BUILD_DIR=${KILN_BUILD_DIR:-$KILN_ROOT/build}
kiln_configure "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
kiln_build "$BUILD_DIR"

OUT=${KILN_OUT_DIR:-$KILN_ROOT/out}
mkdir -p "$OUT"
kiln_log "Model file: examples/models/iris-mlp.json -> $OUT/iris-mlp.kiln"
flatc -b -o "$OUT" schema/model.fbs examples/models/iris-mlp.json

kiln_log "kiln-inspect $OUT/iris-mlp.kiln"
"$BUILD_DIR/bin/kiln-inspect" "$OUT/iris-mlp.kiln"

kiln_log "kiln-opt --canonicalize examples/mlir/iris-mlp.mlir"
"$BUILD_DIR/bin/kiln-opt" --canonicalize examples/mlir/iris-mlp.mlir
