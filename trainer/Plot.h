//===- Plot.h - SVG line charts for learning curves and LR finder -*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINER_PLOT_H
#define KILN_TRAINER_PLOT_H

#include <string>
#include <vector>

namespace kiln::train {

struct Series {
  std::string label;
  std::vector<double> x, y;
  /// Dashed (e.g. training) or solid (validation).
  bool dashed = false;
};

struct Chart {
  std::string title, xLabel, yLabel;
  /// Logarithmic x axis (learning rates).
  bool logX = false;
  std::vector<Series> series;
  /// Vertical marker lines, e.g. the suggested learning rate.
  std::vector<std::pair<double, std::string>> markers;
};

/// A standalone SVG document with `charts` side by side. Non-finite points
/// are skipped; the y range covers the finite ones.
std::string renderSvg(const std::vector<Chart> &charts);

} // namespace kiln::train

#endif // KILN_TRAINER_PLOT_H
