#!/usr/bin/env bash
# check-corpus.sh <kiln-inspect> <corpus-dir>: runs the tool over the corpus
# that kiln-make-test-models wrote. Valid files must load (exit 0). Bad files
# must exit 1 with "kiln-inspect: error: <file>: ..." containing the expected
# substring; exit codes >= 128 (signals, sanitizer aborts) always fail.
set -u
tool=$1 dir=$2 failures=0 checked=0
for f in "$dir"/valid/*.kiln; do
  checked=$((checked + 1))
  if ! out=$("$tool" "$f" 2>&1); then
    echo "FAIL: valid file rejected: $f"; echo "$out"; failures=$((failures + 1))
  fi
done
for f in "$dir"/bad/*.kiln; do
  checked=$((checked + 1))
  expected=$(cat "${f%.kiln}.expected")
  out=$("$tool" "$f" 2>&1); rc=$?
  if [ -z "$expected" ]; then
    # Bit flips: loading or a clean rejection are both fine; a crash is not.
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
      echo "FAIL: $f: exit code $rc"; echo "$out"; failures=$((failures + 1))
    fi
    continue
  fi
  if [ $rc -ne 1 ]; then
    echo "FAIL: $f: expected exit code 1, got $rc"; echo "$out"
    failures=$((failures + 1))
  elif ! grep -qF "kiln-inspect: error: $f: " <<<"$out" ||
       ! grep -qF -- "$expected" <<<"$out"; then
    echo "FAIL: $f: expected an error naming the file and containing '$expected', got:"
    echo "$out"; failures=$((failures + 1))
  fi
done
echo "$checked files checked, $failures failures"
[ $failures -eq 0 ]
