#!/usr/bin/env bash
# demo.sh - Kiln's main job. On a fresh Debian 12 machine it installs what is
# missing, builds, and runs the whole path:
#   1. train the book's Fashion-MNIST MLP (784-300-100-10 ELU, SGD 0.01,
#      batch 32, standardized pixels, 10 epochs; KILN_EPOCHS overrides)
#      with kiln-train and
#      examples/configs/fmnist_mlp.json -> out/fmnist.kiln
#   2. summarize the model file (kiln-inspect)
#   3. compile it with kilnc, fused, unfused (--no-fold-bn --no-fuse) and
#      with 16-bit weights (--quantize=f16), into
#      out/{fused,unfused,f16}/libfmnist.a + fmnist.h
#   4. link a C program against each library and print the compiled model's
#      test accuracy and its median latency at batch 1 and 64;
#   5. the same for the book's Monte-Carlo dropout model, with its MC
#      accuracy from the trainer (kiln-run --mc) and from the compiled
#      NAME_predict_mc.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$KILN_ROOT"

kiln_install_packages
BUILD_DIR=${KILN_BUILD_DIR:-$KILN_ROOT/build}
kiln_configure "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
kiln_build "$BUILD_DIR"

OUT=${KILN_OUT_DIR:-$KILN_ROOT/out}
DATA=/usr/share/datasets/fashion-mnist
mkdir -p "$OUT"

kiln_log "Training on Fashion-MNIST ($DATA) -> $OUT/fmnist.kiln"
"$BUILD_DIR/bin/kiln-train" examples/configs/fmnist_mlp.json \
  -o "$OUT/fmnist.kiln" --set "epochs=${KILN_EPOCHS:-10}" \
  --set "dataset.path=$DATA"

kiln_log "kiln-inspect $OUT/fmnist.kiln"
"$BUILD_DIR/bin/kiln-inspect" "$OUT/fmnist.kiln"

for variant in fused unfused f16; do
  flags=()
  [ "$variant" = unfused ] && flags=(--no-fold-bn --no-fuse)
  [ "$variant" = f16 ] && flags=(--quantize=f16)
  kiln_log "kilnc $OUT/fmnist.kiln --name fmnist ${flags[*]} -o $OUT/$variant"
  "$BUILD_DIR/bin/kilnc" "$OUT/fmnist.kiln" --name fmnist "${flags[@]}" \
    -o "$OUT/$variant"
  cc -O2 examples/fmnist-app/fmnist_app.c -I"$OUT/$variant" \
    "$OUT/$variant/libfmnist.a" -lz -lm -o "$OUT/$variant/fmnist_app"
  kiln_log "Running the $variant library"
  "$OUT/$variant/fmnist_app" "$DATA"
done

# 5. Monte-Carlo dropout: the book's model with Dropout(0.2) before every
#    Dense, Nadam 1e-3; the trainer reports its MC accuracy (100 samples,
#    seed 42), the compiled library's NAME_predict_mc must give the same.
kiln_log "Training the MC-dropout model -> $OUT/fmnist-mc.kiln"
"$BUILD_DIR/bin/kiln-train" examples/configs/fmnist_mc_dropout.json \
  -o "$OUT/fmnist-mc.kiln" --set "epochs=${KILN_EPOCHS:-10}" \
  --set "dataset.path=$DATA"
kiln_log "kiln-run $OUT/fmnist-mc.kiln --mc 100 --seed 42"
"$BUILD_DIR/bin/kiln-run" "$OUT/fmnist-mc.kiln" --mc 100 --seed 42
kiln_log "kilnc $OUT/fmnist-mc.kiln --name fmnist -o $OUT/mc"
"$BUILD_DIR/bin/kilnc" "$OUT/fmnist-mc.kiln" --name fmnist -o "$OUT/mc"
cc -O2 examples/fmnist-app/fmnist_app.c -I"$OUT/mc" "$OUT/mc/libfmnist.a" \
  -lz -lm -o "$OUT/mc/fmnist_app"
kiln_log "Running the MC-dropout library"
"$OUT/mc/fmnist_app" "$DATA"
