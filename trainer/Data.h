//===- Data.h - Data sets: IDX (gzip) files and standardization --*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_DATA_H
#define KILN_TRAINER_DATA_H

#include "schema/Model.h"
#include "trainer/Loss.h"
#include "trainer/Tensor.h"

#include <string>
#include <vector>

namespace kiln::train {

/// Reads an IDX image file (magic 0x00000803, gzip or plain, as in MNIST and
/// Fashion-MNIST): one row per image, pixels scaled to [0, 1]. `shape`
/// receives one image's shape ([rows, cols]).
Status readIdxImages(const std::string &path, Matrix &images,
                     std::vector<int64_t> &shape);

/// Reads an IDX label file (magic 0x00000801).
Status readIdxLabels(const std::string &path, std::vector<int> &labels);

/// How to read a CSV file (RFC 4180 without quoted fields: numbers only).
struct CsvOptions {
  /// The first line names the columns.
  bool header = true;
  /// The label column: a header name, or a 0-based index as text; empty
  /// means the last column.
  std::string labelColumn;
  /// Labels are class indices (integers >= 0, into Targets::labels) rather
  /// than values (into Targets::values, for regression).
  bool integerLabels = true;
  char delimiter = ',';
};

/// Reads a numeric CSV file: every column but the label one becomes a
/// feature of `x`; `featureNames` receives the header's names (or "c<i>").
/// Errors name the file, line and column: missing or extra fields,
/// non-numbers, NaN/Inf, non-integer labels, no rows.
Status readCsv(const std::string &path, const CsvOptions &options, Matrix &x,
               Targets &y, std::vector<std::string> &featureNames);

/// 0 .. n−1 in an order that is a function of (seed, stream) alone:
/// Fisher-Yates with random stream `stream` of `seed` (the multiply-shift
/// index is unbiased enough for n < 2^32).
std::vector<size_t> shuffledRows(size_t n, uint64_t seed, uint64_t stream);

/// Rows `index[begin, begin + n)` of `x` and their targets (labels and/or
/// values, whichever `t` has) into `xb` and `tb`.
void gatherRows(const Matrix &x, const Targets &t,
                const std::vector<size_t> &index, size_t begin, size_t n,
                Matrix &xb, Targets &tb);

/// Per-feature mean and standard deviation of `x` (std floored at 1e-7 so
/// constant features do not divide by zero), as stored in the model file.
Normalization fitNormalization(const Matrix &x,
                               const std::vector<int64_t> &shape);

/// x ← (x − mean) / std, in place. The mean and the std have one value per
/// column of x: validateModel checks them against the model's input and
/// prepareData the data's width against it.
void applyNormalization(const Normalization &n, Matrix &x);

} // namespace kiln::train

#endif // KILN_TRAINER_DATA_H
