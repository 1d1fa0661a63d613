#!/usr/bin/env bash
# Trains every example config on Fashion-MNIST and prints its test accuracy
# next to the PyTorch reference of issue 6 (docs/kiln-train.md has the
# table). Usage: examples/configs/run_all.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(cd "${1:-$here/../../build}" && pwd)/bin"
out="${2:-$PWD/configs-out}"
mkdir -p "$out" && cd "$out"

acc() { sed -n 's/.*test accuracy \([0-9.]*\).*/\1/p'; }
pct() { awk -v a="$1" 'BEGIN { printf "%6.2f", a * 100 }'; }
run() { # name, reference, extra kiln-train flags...
  local name=$1 ref=$2; shift 2
  local a
  a=$("$bin/kiln-train" "$here/$name.json" -o "$name.kiln" --quiet "$@" | acc)
  printf '%-28s %-12s %s %%   (PyTorch: %s)\n' "$name" "${*:-}" \
    "$(pct "$a")" "$ref"
}

run fmnist_mlp "86.9 % (benchmarks/peers/pytorch_fmnist.py --standardize)"
run fmnist_mlp "86.0 %" --set dataset.standardize=false
run fmnist_bn "87.4 %"
run fmnist_mc_dropout "87.7 %"
mc=$("$bin/kiln-run" fmnist_mc_dropout.kiln --mc 100 --seed 42 |
  sed -n 's/.*MC dropout.*accuracy \([0-9.]*\).*/\1/p')
printf '%-28s %-12s %s %%   (PyTorch: 88.0 %%)\n' "  + MC dropout, 100 samples" \
  "" "$(pct "$mc")"
run fmnist_selu "83.8 %"
run fmnist_selu_alpha_dropout "83.9 %"
run fmnist_1cycle "89.5 %"
run fmnist_l2 "-"
run fmnist_max_norm "-"
i=0
refs=(84.0 83.9 84.0 81.7 87.0 86.0 86.4 87.1)
for opt in 'type=sgd' 'momentum' 'nesterov' 'type=adagrad' 'type=rmsprop' \
           'type=adam' 'type=adamax' 'type=nadam'; do
  case $opt in
    # The book's comparison: momentum 0.9 at a tenth of SGD's rate.
    momentum) sets=(--set 'optimizer={"type":"sgd","learning_rate":0.001,"momentum":0.9}') ;;
    nesterov) sets=(--set 'optimizer={"type":"sgd","learning_rate":0.001,"momentum":0.9,"nesterov":true}') ;;
    *) sets=(--set "optimizer=${opt#type=}") ;;
  esac
  # The book's comparison scales pixels to [0, 1] only.
  a=$("$bin/kiln-train" "$here/fmnist_mlp.json" -o "opt.kiln" --quiet \
    --set epochs=3 --set dataset.standardize=false "${sets[@]}" | acc)
  printf '%-28s %s %%   (PyTorch: %s %%)\n' "3 epochs, $opt" \
    "$(pct "$a")" "${refs[$i]}"
  i=$((i + 1))
done
run fmnist_transfer_a "-"
run fmnist_transfer_b "-"
run fmnist_transfer_b_on_a "-"
loss=$("$bin/kiln-train" "$here/fmnist_autoencoder.json" \
  -o fmnist_autoencoder.kiln --quiet | sed -n 's/.*test loss \([0-9.]*\).*/\1/p')
printf '%-28s %-12s test loss %s (binary cross-entropy of the reconstruction)\n' \
  fmnist_autoencoder "" "$loss"
run fmnist_pretrained "-"
run fmnist_scratch_500 "-"
