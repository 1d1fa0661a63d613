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

#include <zlib.h>

#include <cmath>
#include <cstring>
#include <memory>

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
  std::vector<float> m = n.mean.toF32(), s = n.std.toF32();
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    x.col(j) = (x.col(j).array() - m[size_t(j)]) / s[size_t(j)];
}

} // namespace kiln::train
