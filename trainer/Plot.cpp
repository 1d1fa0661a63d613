//===- Plot.cpp - SVG line charts -----------------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "trainer/Plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace kiln::train {

namespace {
constexpr double kWidth = 480, kHeight = 320, kLeft = 64, kRight = 16,
                 kTop = 32, kBottom = 48;
const char *const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                               "#9467bd"};

std::string escape(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string chart(const Chart &c, double offsetX) {
  auto tx = [&](double x) { return c.logX ? std::log10(x) : x; };
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0,
         y1 = -x0;
  for (const Series &s : c.series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i]) || !std::isfinite(tx(s.x[i])))
        continue;
      x0 = std::min(x0, tx(s.x[i]));
      x1 = std::max(x1, tx(s.x[i]));
      y0 = std::min(y0, s.y[i]);
      y1 = std::max(y1, s.y[i]);
    }
  if (!(x0 <= x1)) {
    x0 = 0;
    x1 = 1;
    y0 = 0;
    y1 = 1;
  }
  if (x1 == x0)
    x1 = x0 + 1;
  if (y1 == y0)
    y1 = y0 + 1;
  const double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  auto px = [&](double x) {
    return offsetX + kLeft + (tx(x) - x0) / (x1 - x0) * pw;
  };
  auto py = [&](double y) { return kTop + (y1 - y) / (y1 - y0) * ph; };
  std::string out;
  out += "<text x=\"" + num(offsetX + kWidth / 2) +
         "\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">" +
         escape(c.title) + "</text>\n";
  out += "<rect x=\"" + num(offsetX + kLeft) + "\" y=\"" + num(kTop) +
         "\" width=\"" + num(pw) + "\" height=\"" + num(ph) +
         "\" fill=\"none\" stroke=\"#888\"/>\n";
  // Five ticks per axis, at data values (powers of ten on a log axis).
  for (int i = 0; i <= 4; ++i) {
    double yv = y0 + (y1 - y0) * i / 4;
    out += "<text x=\"" + num(offsetX + kLeft - 4) + "\" y=\"" +
           num(py(yv) + 4) + "\" text-anchor=\"end\">" + num(yv) + "</text>\n";
    double xt = x0 + (x1 - x0) * i / 4;
    double xv = c.logX ? std::pow(10, xt) : xt;
    out += "<text x=\"" + num(px(xv)) + "\" y=\"" + num(kTop + ph + 16) +
           "\" text-anchor=\"middle\">" + num(xv) + "</text>\n";
  }
  out += "<text x=\"" + num(offsetX + kLeft + pw / 2) + "\" y=\"" +
         num(kHeight - 8) + "\" text-anchor=\"middle\">" + escape(c.xLabel) +
         "</text>\n";
  out += "<text transform=\"translate(" + num(offsetX + 14) + "," +
         num(kTop + ph / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
         escape(c.yLabel) + "</text>\n";
  for (size_t k = 0; k < c.series.size(); ++k) {
    const Series &s = c.series[k];
    const char *color = kColors[k % (sizeof kColors / sizeof *kColors)];
    std::string points;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
      if (std::isfinite(s.y[i]) && std::isfinite(tx(s.x[i])))
        points += num(px(s.x[i])) + "," + num(py(s.y[i])) + " ";
    out += std::string("<polyline fill=\"none\" stroke=\"") + color +
           "\" stroke-width=\"1.5\"" +
           (s.dashed ? " stroke-dasharray=\"5,3\"" : "") + " points=\"" +
           points + "\"/>\n";
    out += "<text x=\"" + num(offsetX + kLeft + 8) + "\" y=\"" +
           num(kTop + 16 + 14 * double(k)) + "\" fill=\"" + color + "\">" +
           escape(s.label) + "</text>\n";
  }
  for (const auto &[x, label] : c.markers) {
    if (!std::isfinite(tx(x)))
      continue;
    out += "<line x1=\"" + num(px(x)) + "\" x2=\"" + num(px(x)) + "\" y1=\"" +
           num(kTop) + "\" y2=\"" + num(kTop + ph) +
           "\" stroke=\"#555\" stroke-dasharray=\"2,2\"/>\n";
    out += "<text x=\"" + num(px(x) + 4) + "\" y=\"" + num(kTop + ph - 6) +
           "\">" + escape(label) + "</text>\n";
  }
  return out;
}
} // namespace

std::string renderSvg(const std::vector<Chart> &charts) {
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    num(kWidth * double(charts.size())) + "\" height=\"" +
                    num(kHeight) +
                    "\" font-family=\"sans-serif\" font-size=\"11\">\n"
                    "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  for (size_t i = 0; i < charts.size(); ++i)
    out += chart(charts[i], kWidth * double(i));
  return out + "</svg>\n";
}

} // namespace kiln::train
