#!/bin/bash
# random-models.sh OUT COUNT SEED MAKE_MODELS KILNC CC PYTHON
# Compiles each random model fused and unfused, runs it through harness.c,
# and compares with the trainer's predict (compare.py), and the fused with
# the unfused outputs; then with f16 and bf16 weights (--quantize) against
# the trainer's predict with its kernels rounded the same way; models with
# dropout also for baseline x86-64. Monte-Carlo per-sample outputs go
# against reference.py's double-precision pass. Prints one line per
# comparison and a summary; exits 1 if any comparison failed.
#
# Tolerance: |got - expected| <= 1e-5 * max(|expected|, 0.1), i.e. relative
# error 1e-5 for outputs of magnitude >= 0.1 and absolute error 1e-6 below.
# A pure relative bound cannot hold for outputs that come out of
# cancellation: two float32 evaluations that sum in different orders (the
# trainer's Eigen GEMM, the packed kernels, BN folded or not) differ by a
# few ulp of the terms, not of the small result. Measured with seed 1, 24
# models: pure relative error up to 1.3e-3 on an output of 3.1e-5 (absolute
# 4e-9); with the floor, worst 8.3e-6.
set -eu
out=$1 count=$2 seed=$3 make=$4 kilnc=$5 cc=$6 python=$7
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out" && mkdir -p "$out"
"$make" "$out" "$count" "$seed"
failures=0
mcModels=0
# link DIR: links harness.c with DIR's library, once (with the Monte-Carlo
# entry points when the model has dropout), as DIR/harness.
link() {
  local dir=$1 mc=()
  [ -f "$out/mc_$i.txt" ] &&
    mc=(-DMC="m${i}_predict_mc" -DMCS="m${i}_predict_mc_samples")
  "$cc" "${mc[@]}" "$here/harness.c" -include "$dir/m$i.h" \
    -DPREDICT="m${i}_predict" -DIN_SIZE="M${i}_INPUT_SIZE" \
    -DOUT_SIZE="M${i}_OUTPUT_SIZE" "$dir/libm$i.a" -lm -o "$dir/harness"
}
# harness DIR OUT [args...]: runs DIR's harness (args: harness.c's modes)
# on the model's inputs into OUT.txt.
harness() {
  local dir=$1 outfile=$2
  shift 2
  "$dir/harness" "$@" < "$out/input_$i.txt" > "$outfile.txt"
}
for ((i = 0; i < count; i++)); do
  arch=$(cat "$out/arch_$i.txt")
  # The trainer's per-sample Monte-Carlo outputs against the reference:
  # its masks and the compiled ones are then the same as reference.py's.
  if [ -f "$out/mc_$i.txt" ]; then
    flatc --json --strict-json --raw-binary -o "$out" \
      "$here/../../../schema/model.fbs" -- "$out/model_$i.kiln"
    "$python" "$here/reference.py" "$out/model_$i.json" --mc-samples 5 \
      --inputs "$out/input_$i.txt" --check "$out/mcs_$i.txt" --floor 0.1 \
      --what "model $i trainer MC per-sample outputs vs double-precision reference" ||
      failures=$((failures + 1))
  fi
  # f16 and bf16: 16-bit weights against the trainer with its kernels
  # rounded the same way, so the same tolerance holds. BatchNorm stays
  # unfolded there: folding rounds the folded weights, which the trainer
  # cannot mirror.
  # Models with dropout also build for baseline x86-64 (SSE2, no FMA): the
  # Philox vectors of 16 lanes and the kernels at 128 bits.
  variants=(fused unfused f16 bf16)
  [ -f "$out/mc_$i.txt" ] && [ "$(uname -m)" = x86_64 ] && variants+=(sse2)
  for variant in "${variants[@]}"; do
    expected=$out/expected_$i.txt
    case $variant in
      fused) flags=() ;;
      unfused) flags=(--no-fold-bn --no-fuse) ;;
      sse2) flags=(--mcpu=x86-64) ;;
      f16) flags=(--no-fold-bn --quantize=f16) expected=$out/expected_f16_$i.txt ;;
      bf16) flags=(--no-fold-bn --no-fuse --quantize=bf16) expected=$out/expected_bf16_$i.txt ;;
    esac
    dir=$out/$variant$i
    "$kilnc" "$out/model_$i.kiln" --name "m$i" "${flags[@]}" -o "$dir"
    link "$dir"
    harness "$dir" "$dir/out" split
    "$python" "$here/compare.py" "$expected" "$dir/out.txt" \
      --floor 0.1 --what "model $i $variant vs trainer [$arch]" ||
      failures=$((failures + 1))
    # A row's output does not depend on its batch: one call of 39 rows gives
    # bitwise what row 0 alone + 38 rows gave.
    harness "$dir" "$dir/whole"
    cmp -s "$dir/out.txt" "$dir/whole.txt" ||
      { echo "FAIL model $i $variant: batch split changed the outputs"; failures=$((failures + 1)); }
    # 16-bit weights: the MC mean and stddev against the trainer's
    # predictMc with the same rounded kernels (a missing reference is a
    # failure, not a skipped check).
    if [ -f "$out/mc_$i.txt" ] && [[ $variant == f16 || $variant == bf16 ]]; then
      harness "$dir" "$dir/mc_split" mc split
      "$python" "$here/compare.py" "$out/mc_${variant}_$i.txt" "$dir/mc_split.txt" \
        --floor 0.1 --what "model $i $variant MC mean/std vs trainer" ||
        failures=$((failures + 1))
    fi
    # f32 weights: MC mean and stddev, per-sample outputs, batch splits.
    if [ -f "$out/mc_$i.txt" ] && [[ $variant == fused || $variant == unfused || $variant == sse2 ]]; then
      harness "$dir" "$dir/mc_split" mc split
      harness "$dir" "$dir/mc_whole" mc
      "$python" "$here/compare.py" "$out/mc_$i.txt" "$dir/mc_split.txt" \
        --floor 0.1 --what "model $i $variant MC mean/std vs trainer" ||
        failures=$((failures + 1))
      cmp -s "$dir/mc_split.txt" "$dir/mc_whole.txt" ||
        { echo "FAIL model $i $variant MC: batch split changed the outputs"; failures=$((failures + 1)); }
      # Each of 5 samples' outputs against reference.py's double-precision
      # forward pass with its own Philox masks (the trainer's are checked
      # against it above): two float32 evaluations of one thinned network
      # differ by the sum of their errors, which reached 1.09e-5 between
      # the trainer and a library whose errors against the exact values
      # were 7.8e-6 and 6.9e-6.
      harness "$dir" "$dir/mcs_split" mcs split
      "$python" "$here/reference.py" "$out/model_$i.json" --mc-samples 5 \
        --inputs "$out/input_$i.txt" --check "$dir/mcs_split.txt" --floor 0.1 \
        --what "model $i $variant MC per-sample outputs vs double-precision reference" ||
        failures=$((failures + 1))
      # Every sample of 37 (two uneven steps when stacked): bitwise the same
      # split (stacked at one and five rows per sample) and whole.
      harness "$dir" "$dir/mcs37_split" mcs=37 split
      harness "$dir" "$dir/mcs37_whole" mcs=37
      cmp -s "$dir/mcs37_split.txt" "$dir/mcs37_whole.txt" ||
        { echo "FAIL model $i $variant MC samples: batch split changed the outputs"; failures=$((failures + 1)); }
      [ "$variant" = fused ] && mcModels=$((mcModels + 1))
    fi
  done
  "$python" "$here/compare.py" "$out/unfused$i/out.txt" "$out/fused$i/out.txt" \
    --floor 0.1 --what "model $i fused vs unfused" ||
    failures=$((failures + 1))
done
echo "random models: $count ($mcModels with dropout, also checked through NAME_predict_mc), failed comparisons: $failures"
[ "$failures" -eq 0 ]
