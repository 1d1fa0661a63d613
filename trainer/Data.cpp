//===- Data.cpp - Data sets: IDX (gzip) files and standardization ---------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// IDX: a big-endian u32 magic (0x0000 08 NN: unsigned bytes, NN dimensions),
// NN big-endian u32 sizes, then the data. zlib's gz* functions read gzip and
// plain files alike.
//
//===----------------------------------------------------------------------===//

#include "trainer/Data.h"

#include "kiln/rng.h"

#include <zlib.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <numeric>

namespace kiln::train {

namespace {

struct GzCloser {
  void operator()(gzFile_s *f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

Status readExactly(gzFile f, void *buf, size_t n, const std::string &path,
                   const char *what) {
  int got = gzread(f, buf, unsigned(n));
  if (got < 0 || size_t(got) != n)
    return Status::error(path + ": truncated or unreadable " + what);
  return Status::success();
}

/// Opens `path` and reads the header; `dims` receives the sizes.
Status readHeader(const std::string &path, uint32_t expectedMagic, GzFile &file,
                  std::vector<uint32_t> &dims) {
  file.reset(gzopen(path.c_str(), "rb"));
  if (!file)
    return Status::error("cannot open '" + path +
                         "': " + std::strerror(errno ? errno : ENOENT));
  unsigned char magic[4];
  if (Status s = readExactly(file.get(), magic, 4, path, "header"); !s.ok())
    return s;
  uint32_t m = uint32_t(magic[0]) << 24 | uint32_t(magic[1]) << 16 |
               uint32_t(magic[2]) << 8 | magic[3];
  if (m != expectedMagic) {
    char buf[96];
    std::snprintf(buf, sizeof(buf),
                  ": not an IDX file of this kind (magic 0x%08x, expected "
                  "0x%08x)",
                  m, expectedMagic);
    return Status::error(path + buf);
  }
  dims.resize(expectedMagic & 0xff);
  for (uint32_t &d : dims) {
    unsigned char b[4];
    if (Status s = readExactly(file.get(), b, 4, path, "header"); !s.ok())
      return s;
    d = uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 |
        b[3];
    if (d == 0 || d > (1u << 24))
      return Status::error(path + ": implausible dimension " +
                           std::to_string(d));
  }
  return Status::success();
}

} // namespace

Status readIdxImages(const std::string &path, Matrix &images,
                     std::vector<int64_t> &shape) {
  GzFile file;
  std::vector<uint32_t> dims;
  if (Status s = readHeader(path, 0x00000803, file, dims); !s.ok())
    return s;
  size_t n = dims[0], pixels = size_t(dims[1]) * dims[2];
  std::vector<unsigned char> raw(n * pixels);
  if (Status s =
          readExactly(file.get(), raw.data(), raw.size(), path, "image data");
      !s.ok())
    return s;
  images.resize(Eigen::Index(n), Eigen::Index(pixels));
  for (size_t i = 0; i < raw.size(); ++i)
    images.data()[i] = float(raw[i]) / 255.0f;
  shape = {int64_t(dims[1]), int64_t(dims[2])};
  return Status::success();
}

Status readIdxLabels(const std::string &path, std::vector<int> &labels) {
  GzFile file;
  std::vector<uint32_t> dims;
  if (Status s = readHeader(path, 0x00000801, file, dims); !s.ok())
    return s;
  std::vector<unsigned char> raw(dims[0]);
  if (Status s =
          readExactly(file.get(), raw.data(), raw.size(), path, "labels");
      !s.ok())
    return s;
  labels.assign(raw.begin(), raw.end());
  return Status::success();
}

Normalization fitNormalization(const Matrix &x,
                               const std::vector<int64_t> &shape) {
  Eigen::RowVectorXd mean = x.cast<double>().colwise().mean();
  Eigen::RowVectorXd var =
      (x.cast<double>().rowwise() - mean).array().square().colwise().mean();
  std::vector<float> m(size_t(x.cols())), s(size_t(x.cols()));
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    m[size_t(j)] = float(mean(j));
    s[size_t(j)] = float(std::max(std::sqrt(var(j)), 1e-7));
  }
  return Normalization{Tensor::fromF32(shape, m), Tensor::fromF32(shape, s)};
}

void applyNormalization(const Normalization &n, Matrix &x) {
  std::vector<float> m = n.mean.realValues(), s = n.std.realValues();
  assert(m.size() == size_t(x.cols()) && s.size() == size_t(x.cols()) &&
         "one mean and std per feature");
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    x.col(j) = (x.col(j).array() - m[size_t(j)]) / s[size_t(j)];
}

namespace {
std::vector<std::string> splitFields(const std::string &line, char delimiter) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    size_t end = line.find(delimiter, start);
    fields.push_back(line.substr(start, end - start));
    if (end == std::string::npos)
      return fields;
    start = end + 1;
  }
}

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}
} // namespace

Status readCsv(const std::string &path, const CsvOptions &options, Matrix &x,
               Targets &y, std::vector<std::string> &featureNames) {
  std::ifstream in(path);
  if (!in)
    return Status::error("cannot open '" + path +
                         "': " + std::strerror(errno ? errno : ENOENT));
  std::string line;
  size_t lineNo = 0, columns = 0, labelIndex = 0;
  std::vector<std::string> names;
  std::vector<float> features, values;
  std::vector<int> labels;
  auto at = [&](size_t column) {
    return path + ":" + std::to_string(lineNo) + ": column " +
           std::to_string(column + 1);
  };
  bool first = true;
  while (std::getline(in, line)) {
    ++lineNo;
    if (trim(line).empty())
      continue;
    std::vector<std::string> fields = splitFields(line, options.delimiter);
    if (first) {
      first = false;
      columns = fields.size();
      if (columns < 2)
        return Status::error(path + ":" + std::to_string(lineNo) +
                             ": needs at least two columns (features and a "
                             "label), found " +
                             std::to_string(columns));
      for (size_t i = 0; i < columns; ++i)
        names.push_back(options.header ? trim(fields[i])
                                       : "c" + std::to_string(i));
      labelIndex = columns - 1;
      if (!options.labelColumn.empty()) {
        auto it = std::find(names.begin(), names.end(), options.labelColumn);
        char *end = nullptr;
        unsigned long index =
            std::strtoul(options.labelColumn.c_str(), &end, 10);
        if (it != names.end())
          labelIndex = size_t(it - names.begin());
        else if (*end == 0 && index < columns)
          labelIndex = size_t(index);
        else
          return Status::error(path + ": no label column '" +
                               options.labelColumn + "'");
      }
      if (options.header)
        continue;
    }
    if (fields.size() != columns)
      return Status::error(path + ":" + std::to_string(lineNo) + ": " +
                           std::to_string(fields.size()) +
                           " fields, expected " + std::to_string(columns));
    for (size_t i = 0; i < columns; ++i) {
      std::string f = trim(fields[i]);
      char *end = nullptr;
      errno = 0;
      double v = std::strtod(f.c_str(), &end);
      if (f.empty() || *end != 0)
        return Status::error(at(i) + ": '" + f + "' is not a number");
      if (!std::isfinite(v) || errno == ERANGE)
        return Status::error(at(i) + ": '" + f +
                             "' is not a finite float value");
      if (i != labelIndex) {
        features.push_back(float(v));
      } else if (options.integerLabels) {
        if (v < 0 || v != std::floor(v) || v > 1e9)
          return Status::error(at(i) + ": label '" + f +
                               "' is not a class index (integer >= 0)");
        labels.push_back(int(v));
      } else {
        values.push_back(float(v));
      }
    }
  }
  if (in.bad())
    return Status::error(path + ": read error");
  size_t rows = options.integerLabels ? labels.size() : values.size();
  if (rows == 0)
    return Status::error(path + ": no data rows");
  x = Eigen::Map<const Matrix>(features.data(), Eigen::Index(rows),
                               Eigen::Index(columns - 1));
  y = Targets{};
  if (options.integerLabels)
    y.labels = std::move(labels);
  else
    y.values = Eigen::Map<const Matrix>(values.data(), Eigen::Index(rows), 1);
  featureNames.clear();
  for (size_t i = 0; i < columns; ++i)
    if (i != labelIndex)
      featureNames.push_back(names[i]);
  return Status::success();
}

std::vector<size_t> shuffledRows(size_t n, uint64_t seed, uint64_t stream) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  kiln_rng_t rng;
  kiln_rng_seed(&rng, seed, stream);
  for (size_t i = n; i-- > 1;)
    std::swap(order[i],
              order[(uint64_t(kiln_rng_next_u32(&rng)) * (i + 1)) >> 32]);
  return order;
}

void gatherRows(const Matrix &x, const Targets &t,
                const std::vector<size_t> &index, size_t begin, size_t n,
                Matrix &xb, Targets &tb) {
  xb.resize(Eigen::Index(n), x.cols());
  tb.labels.resize(t.labels.empty() ? 0 : n);
  tb.values.resize(t.values.size() ? Eigen::Index(n) : 0, t.values.cols());
  for (size_t r = 0; r < n; ++r) {
    Eigen::Index src = Eigen::Index(index[begin + r]);
    xb.row(Eigen::Index(r)) = x.row(src);
    if (!t.labels.empty())
      tb.labels[r] = t.labels[size_t(src)];
    if (t.values.size())
      tb.values.row(Eigen::Index(r)) = t.values.row(src);
  }
}

} // namespace kiln::train
