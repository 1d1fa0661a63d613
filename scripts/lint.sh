#!/usr/bin/env bash
# lint.sh - checks that every tracked C/C++ file is formatted with
# clang-format-19 and the repository's .clang-format (CI runs it as the
# ctest test "format"). Fix with:
#   git ls-files '*.cpp' '*.h' '*.c' | xargs clang-format-19 -i
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format-19 >/dev/null; then
  echo "lint.sh: clang-format-19 not found (apt-get install clang-format-19)" >&2
  exit 1
fi
files=$(git ls-files '*.cpp' '*.h' '*.c')
if ! clang-format-19 --dry-run --Werror $files; then
  echo "lint.sh: files above are not clang-format-19 clean" >&2
  exit 1
fi
echo "lint.sh: $(wc -w <<<"$files") files formatted"
