#!/usr/bin/env bash
# demo.sh - Kiln's main job. On a fresh Debian 12 machine it installs what is
# missing, builds, and runs the tools end to end.
#
# Today that is: build an example model file from its JSON form with flatc,
# summarize it with kiln-inspect, compile it with kilnc (fused, and unfused
# with --no-fold-bn --no-fuse), link a C program against each library, and
# print its predictions and median batch-1 latency. The trainer will replace
# the hand-made model: train on Fashion-MNIST -> compile -> run.
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

echo "(Its weights are hand-made, not trained: the predictions below show the"
echo " toolchain working, not a useful classifier.)"
kiln_log "kiln-inspect $OUT/iris-mlp.kiln"
"$BUILD_DIR/bin/kiln-inspect" "$OUT/iris-mlp.kiln"

for variant in fused unfused; do
  flags=()
  [ "$variant" = unfused ] && flags=(--no-fold-bn --no-fuse)
  kiln_log "kilnc $OUT/iris-mlp.kiln --name iris ${flags[*]} -o $OUT/$variant"
  "$BUILD_DIR/bin/kilnc" "$OUT/iris-mlp.kiln" --name iris "${flags[@]}" -o "$OUT/$variant"
  cc -O2 examples/iris-app/iris_app.c -I"$OUT/$variant" "$OUT/$variant/libiris.a" -lm \
    -o "$OUT/$variant/iris_app"
  kiln_log "Running the $variant library"
  "$OUT/$variant/iris_app"
done
