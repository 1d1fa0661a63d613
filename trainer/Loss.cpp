//===- Loss.cpp - Losses and metrics --------------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Per batch of n rows (rows begin..begin+n−1 of the targets):
//   sparse CE: L = −(1/n) Σ log p[label],  dL/dp = −1/(n·p) at the label
//   MSE:       L = (1/n) Σ mean_j (y − t)²,  dL/dy = 2(y − t)/(n·k)
//   MAE:       L = (1/n) Σ mean_j |y − t|,   dL/dy = sign(y − t)/(n·k)
//   categorical CE: L = −(1/n) Σ_j t_j log p_j,  dL/dp_j = −t_j/(n·p_j)
//   BCE:        L = −(1/n) Σ mean_j [t log p + (1−t) log(1−p)]
//               dL/dp = (p − t)/(p(1 − p)·n·k)
//   BCE logits: L = (1/n) Σ mean_j [max(z, 0) − z·t + log(1 + e^−|z|)]
//               (stable form), dL/dz = (σ(z) − t)/(n·k)
// Probabilities are clipped to [1e-7, 1 − 1e-7] as Keras does; the clip's
// derivative is 0 outside.
// With a softmax output the trainer skips dL/dp and uses the fused
// dL/dz = (p − onehot)/n, which is exact and never divides by a tiny p.
//
//===----------------------------------------------------------------------===//

#include "trainer/Loss.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace kiln::train {

namespace {
constexpr double kEpsilon = 1e-7;
}

double lossValue(LossKind kind, const Matrix &y, const Targets &t, size_t begin,
                 size_t count) {
  double sum = 0;
  for (size_t r = 0; r < count; ++r) {
    auto row = y.row(Eigen::Index(r));
    switch (kind) {
    case LossKind::SparseCategoricalCrossentropy: {
      double p =
          std::clamp<double>(row(t.labels[begin + r]), kEpsilon, 1 - kEpsilon);
      sum -= std::log(p);
      break;
    }
    case LossKind::CategoricalCrossentropy:
      for (Eigen::Index j = 0; j < row.size(); ++j)
        sum -= double(t.values(Eigen::Index(begin + r), j)) *
               std::log(std::clamp<double>(row(j), kEpsilon, 1 - kEpsilon));
      break;
    case LossKind::BinaryCrossentropy: {
      double s = 0;
      for (Eigen::Index j = 0; j < row.size(); ++j) {
        double p = std::clamp<double>(row(j), kEpsilon, 1 - kEpsilon);
        double tj = t.values(Eigen::Index(begin + r), j);
        s -= tj * std::log(p) + (1 - tj) * std::log(1 - p);
      }
      sum += s / double(row.size());
      break;
    }
    case LossKind::BinaryCrossentropyFromLogits: {
      double s = 0;
      for (Eigen::Index j = 0; j < row.size(); ++j) {
        double z = row(j), tj = t.values(Eigen::Index(begin + r), j);
        s += std::max(z, 0.0) - z * tj + std::log1p(std::exp(-std::fabs(z)));
      }
      sum += s / double(row.size());
      break;
    }
    case LossKind::MeanSquaredError:
      sum += (row - t.values.row(Eigen::Index(begin + r)))
                 .array()
                 .square()
                 .cast<double>()
                 .mean();
      break;
    case LossKind::MeanAbsoluteError:
      sum += (row - t.values.row(Eigen::Index(begin + r)))
                 .array()
                 .abs()
                 .cast<double>()
                 .mean();
      break;
    }
  }
  return sum / double(count);
}

void lossGradient(LossKind kind, const Matrix &y, const Targets &t,
                  size_t begin, size_t count, Matrix &dy) {
  dy = Matrix::Zero(y.rows(), y.cols());
  const double n = double(count), k = double(y.cols());
  for (size_t r = 0; r < count; ++r) {
    Eigen::Index i = Eigen::Index(r);
    switch (kind) {
    case LossKind::SparseCategoricalCrossentropy: {
      int label = t.labels[begin + r];
      double p = y(i, label);
      // The clip's derivative is 0 outside [ε, 1 − ε].
      if (p > kEpsilon && p < 1 - kEpsilon)
        dy(i, label) = float(-1.0 / (n * p));
      break;
    }
    case LossKind::CategoricalCrossentropy:
      for (Eigen::Index j = 0; j < y.cols(); ++j) {
        double p = y(i, j);
        if (p > kEpsilon && p < 1 - kEpsilon)
          dy(i, j) = float(-t.values(Eigen::Index(begin + r), j) / (n * p));
      }
      break;
    case LossKind::BinaryCrossentropy:
      for (Eigen::Index j = 0; j < y.cols(); ++j) {
        double p = y(i, j);
        if (p > kEpsilon && p < 1 - kEpsilon)
          dy(i, j) = float((p - t.values(Eigen::Index(begin + r), j)) /
                           (p * (1 - p) * n * k));
      }
      break;
    case LossKind::BinaryCrossentropyFromLogits:
      for (Eigen::Index j = 0; j < y.cols(); ++j) {
        double sigma = 1 / (1 + std::exp(-double(y(i, j))));
        dy(i, j) =
            float((sigma - t.values(Eigen::Index(begin + r), j)) / (n * k));
      }
      break;
    case LossKind::MeanSquaredError:
      dy.row(i) = (2.0 / (n * k)) *
                  (y.row(i) - t.values.row(Eigen::Index(begin + r))).array();
      break;
    case LossKind::MeanAbsoluteError:
      dy.row(i) =
          (1.0 / (n * k)) *
          (y.row(i) - t.values.row(Eigen::Index(begin + r))).array().sign();
      break;
    }
  }
}

double accuracy(const Matrix &y, const std::vector<int> &labels, size_t begin) {
  size_t correct = 0;
  for (Eigen::Index r = 0; r < y.rows(); ++r) {
    Eigen::Index best;
    y.row(r).maxCoeff(&best);
    correct += best == labels[begin + size_t(r)];
  }
  return double(correct) / double(y.rows());
}

namespace {
constexpr std::pair<LossKind, const char *> kLossNames[] = {
    {LossKind::SparseCategoricalCrossentropy,
     "sparse_categorical_crossentropy"},
    {LossKind::CategoricalCrossentropy, "categorical_crossentropy"},
    {LossKind::BinaryCrossentropy, "binary_crossentropy"},
    {LossKind::BinaryCrossentropyFromLogits, "binary_crossentropy_from_logits"},
    {LossKind::MeanSquaredError, "mean_squared_error"},
    {LossKind::MeanAbsoluteError, "mean_absolute_error"},
};
} // namespace

const char *lossName(LossKind kind) {
  for (const auto &[k, name] : kLossNames)
    if (k == kind)
      return name;
  return "?";
}

std::optional<LossKind> parseLossName(const std::string &name) {
  for (const auto &[k, n] : kLossNames)
    if (name == n)
      return k;
  return std::nullopt;
}

} // namespace kiln::train
