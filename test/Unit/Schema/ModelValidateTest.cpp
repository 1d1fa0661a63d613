//===- ModelValidateTest.cpp - Semantic validation and helpers ------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "test/Unit/Schema/TestModels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include <sys/mman.h>

using namespace kiln;

namespace {

TEST(ModelValidateTest, LayerOutputShapes) {
  std::vector<std::vector<int64_t>> shapes;
  Status s = validateModel(testmodels::makeSmallModel(), {}, &shapes);
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<std::vector<int64_t>> expected{{6}, {4}, {4}, {4}, {3}};
  EXPECT_EQ(shapes, expected);
}

TEST(ModelValidateTest, KitchenSinkIsValid) {
  Status s = validateModel(testmodels::makeKitchenSinkModel());
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST(ModelValidateTest, KerasDefaults) {
  EXPECT_FLOAT_EQ(Activation::withDefaults(ActivationKind::LeakyRelu).alpha,
                  0.3f);
  EXPECT_FLOAT_EQ(Activation::withDefaults(ActivationKind::Elu).alpha, 1.0f);
  Activation selu = Activation::withDefaults(ActivationKind::Selu);
  EXPECT_FLOAT_EQ(selu.scale, 1.0507009873554805f);
  EXPECT_FLOAT_EQ(selu.alpha, 1.6732632423543772f);
  Activation rrelu = Activation::withDefaults(ActivationKind::RRelu);
  EXPECT_FLOAT_EQ(rrelu.lower, 0.125f);
  EXPECT_FLOAT_EQ(rrelu.upper, 1.0f / 3.0f);
}

TEST(ModelValidateTest, ActivationNamesRoundTrip) {
  for (int k = 0; k <= int(ActivationKind::Swish); ++k) {
    auto kind = static_cast<ActivationKind>(k);
    std::optional<ActivationKind> parsed =
        parseActivationName(activationName(kind));
    ASSERT_TRUE(parsed.has_value()) << activationName(kind);
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_FALSE(parseActivationName("relu6").has_value());
}

TEST(ModelValidateTest, DtypeSizes) {
  EXPECT_EQ(dtypeSize(DType::F32), 4u);
  EXPECT_EQ(dtypeSize(DType::F16), 2u);
  EXPECT_EQ(dtypeSize(DType::BF16), 2u);
  EXPECT_EQ(dtypeSize(DType::I8), 1u);
  EXPECT_EQ(dtypeSize(DType::I16), 2u);
  EXPECT_EQ(dtypeSize(DType::I32), 4u);
}

TEST(ModelValidateTest, LimitsOnLayersAndElements) {
  Model m = testmodels::makeSmallModel();
  ModelLimits few;
  few.maxLayers = 3;
  Status s = validateModel(m, few);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("more than the limit of 3"), std::string::npos)
      << s.message();

  ModelLimits small;
  small.maxTensorElements = 20; // the first kernel is 6 x 4 = 24 elements
  s = validateModel(m, small);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("layer 1 'dense' (dense): kernel: shape [6, 4] "
                             "has more than 20 elements"),
            std::string::npos)
      << s.message();
}

TEST(ModelValidateTest, FileSizeLimitCheckedFirst) {
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(serializeModel(testmodels::makeSmallModel(), bytes).ok());
  ModelLimits tiny;
  tiny.maxFileBytes = 64;
  Model m;
  Status s = parseModel(bytes.data(), bytes.size(), m, "big.kiln", tiny);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("big.kiln: file is "), std::string::npos);
  EXPECT_NE(s.message().find("larger than the limit of 64"), std::string::npos);
}

TEST(ModelValidateTest, BiasPresenceMatchesUseBias) {
  Model m = testmodels::makeSmallModel();
  std::get<DenseLayer>(m.layers[1].params).useBias = false;
  Status s = validateModel(m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bias: present, but use_bias is false"),
            std::string::npos);
  std::get<DenseLayer>(m.layers[1].params).bias.reset();
  EXPECT_TRUE(validateModel(m).ok());
}

TEST(ModelValidateTest, PenaltiesAreFiniteAndNonNegative) {
  Model m = testmodels::makeSmallModel();
  auto &d = std::get<DenseLayer>(m.layers[1].params);
  d.penalties = DensePenalties{};
  EXPECT_TRUE(validateModel(m).ok());
  d.penalties->biasL2 = -0.5;
  Status s = validateModel(m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("penalties: bias_l2 -0.5"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find(m.layers[1].name), std::string::npos)
      << s.message();
  d.penalties->biasL2 = 0;
  d.penalties->kernelMaxNorm = std::nan("");
  s = validateModel(m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("kernel_max_norm"), std::string::npos)
      << s.message();
}

TEST(ModelValidateTest, NonPositiveStdRejected) {
  Model m = testmodels::makeSmallModel();
  std::vector<float> std(6, 1.0f);
  std[4] = 0.0f;
  m.normalization->std = Tensor::fromF32({2, 3}, std);
  Status s = validateModel(m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("normalization: std has a value 0"),
            std::string::npos)
      << s.message();
}

TEST(ModelValidateTest, IntegerWeightsNeedQuantization) {
  Model m = testmodels::makeSmallModel();
  Tensor &k = std::get<DenseLayer>(m.layers[1].params).kernel;
  k.dtype = DType::I32; // same byte size as f32
  Status s = validateModel(m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("i32 tensor has no quantization parameters"),
            std::string::npos)
      << s.message();
}

TEST(ModelValidateTest, SaveRefusesInvalidModel) {
  Model m = testmodels::makeSmallModel();
  std::get<DropoutLayer>(m.layers[3].params).rate = 1.0f;
  std::vector<uint8_t> bytes;
  Status s = serializeModel(m, bytes);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot save an invalid model: layer 3 "
                             "'dropout' (dropout): rate 1 must be in [0, 1)"),
            std::string::npos)
      << s.message();
}

// saveModel() validates so that it never writes a file loadModel() rejects;
// an in-memory enum can hold any value of its underlying type.
TEST(ModelValidateTest, SaveRefusesUnknownEnumValues) {
  struct Case {
    const char *expected;
    void (*corrupt)(Model &);
  };
  const Case cases[] = {
      {"layer 1 'dense' (dense): activation: kind: unknown value 99",
       [](Model &m) {
         std::get<DenseLayer>(m.layers[1].params).activation.kind =
             static_cast<ActivationKind>(99);
       }},
      {"layer 1 'dense' (dense): kernel: dtype: unknown value 77",
       [](Model &m) {
         // With no data, a size of 0 per element would make it "match".
         Tensor &k = std::get<DenseLayer>(m.layers[1].params).kernel;
         k.dtype = static_cast<DType>(77);
         k.data.clear();
       }},
      {"layer 3 'dropout' (dropout): kind: unknown value 5",
       [](Model &m) {
         std::get<DropoutLayer>(m.layers[3].params).kind =
             static_cast<DropoutKind>(5);
       }},
      {"training: optimizer: kind: unknown value 50",
       [](Model &m) {
         m.training.emplace();
         m.training->optimizer.kind = static_cast<OptimizerKind>(50);
       }},
      {"training: schedule: kind: unknown value 7",
       [](Model &m) {
         m.training.emplace();
         m.training->schedule.kind = static_cast<ScheduleKind>(7);
       }},
      {"training: rng: algorithm: unknown value 1",
       [](Model &m) {
         m.training.emplace();
         m.training->rng.algorithm = static_cast<RngAlgorithm>(1);
       }},
  };
  for (const Case &c : cases) {
    Model m = testmodels::makeSmallModel();
    c.corrupt(m);
    std::vector<uint8_t> bytes;
    Status s = serializeModel(m, bytes);
    ASSERT_FALSE(s.ok()) << c.expected;
    EXPECT_NE(s.message().find(c.expected), std::string::npos) << s.message();
  }
}

// No training-state parameter is NaN (readers turn counters into ints);
// infinity stays legal (a best value before the first epoch).
TEST(ModelValidateTest, TrainingParametersAreNotNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    const char *expected;
    std::function<void(TrainingState &)> corrupt;
  };
  const Case cases[] = {
      {"training: schedule parameter 'decay_steps' is NaN",
       [&](TrainingState &t) {
         t.schedule.params = {{"decay_steps", nan, {}}};
       }},
      {"training: schedule state 'best' is NaN",
       [&](TrainingState &t) { t.schedule.state = {{"best", nan, {}}}; }},
      {"training: progress 'batches' is NaN",
       [&](TrainingState &t) { t.progress = {{"batches", nan, {}}}; }},
      {"training: schedule parameter 'boundaries' holds a NaN",
       [&](TrainingState &t) {
         t.schedule.params = {{"boundaries", 0, {1.0, nan}}};
       }},
      {"training: callback 'early_stopping': parameter 'wait' is NaN",
       [&](TrainingState &t) {
         t.callbacks = {{"early_stopping", {{"wait", nan, {}}}, {}}};
       }},
  };
  for (const Case &c : cases) {
    Model m = testmodels::makeSmallModel();
    m.training.emplace();
    c.corrupt(*m.training);
    Status s = validateModel(m);
    ASSERT_FALSE(s.ok()) << c.expected;
    EXPECT_NE(s.message().find(c.expected), std::string::npos) << s.message();
  }
  Model m = testmodels::makeSmallModel();
  m.training.emplace();
  m.training->callbacks = {
      {"early_stopping",
       {{"best", std::numeric_limits<double>::infinity(), {}}},
       {}}};
  EXPECT_TRUE(validateModel(m).ok());
}

// Counters read from a file: only whole, finite values in the type's range
// convert (the others are undefined behaviour as a cast).
TEST(ModelValidateTest, ParamIntegerChecksRangeAndWholeness) {
  auto read = [](double v, auto &out) {
    return paramInteger(Param{"n", v, {}}, "what:", out);
  };
  int i = 0;
  EXPECT_TRUE(read(-2147483648.0, i).ok());
  EXPECT_EQ(i, std::numeric_limits<int>::min());
  EXPECT_TRUE(read(2147483647.0, i).ok());
  EXPECT_EQ(i, 2147483647);
  for (double bad : {2147483648.0, -2147483649.0, 2.5,
                     std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity(),
                     std::numeric_limits<double>::quiet_NaN(), 1e300}) {
    Status s = read(bad, i);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("what: 'n' = "), std::string::npos);
    EXPECT_NE(s.message().find("is not an integer in [-2147483648, "
                               "2147483647]"),
              std::string::npos)
        << s.message();
  }
  int64_t big = 0;
  EXPECT_TRUE(read(-9223372036854775808.0, big).ok());
  EXPECT_FALSE(read(9223372036854775808.0, big).ok()); // 2^63
  uint32_t u = 0;
  EXPECT_FALSE(read(-1.0, u).ok());
  EXPECT_TRUE(read(4294967295.0, u).ok());
  EXPECT_EQ(u, 4294967295u);
}

// Range checks see real values: a quantized moving variance is dequantized
// per channel (real = scale * (q - zero_point)) before the sign test.
TEST(ModelValidateTest, QuantizedValuesAreDequantizedForRangeChecks) {
  Model m = testmodels::makeSmallModel();
  Tensor &var = std::get<BatchNormLayer>(m.layers[2].params).movingVariance;
  var.dtype = DType::I8;
  var.data = {1, 2, 3, 4};
  var.quantization = Quantization{{0.5f, 0.5f, 0.5f, 0.5f}, {0, 0, 0, 0}, 0};
  Status s = validateModel(m);
  EXPECT_TRUE(s.ok()) << s.message();

  var.quantization->zeroPoint[3] = 10; // 0.5 * (4 - 10) = -3
  s = validateModel(m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("layer 2 'batch_norm' (batch_norm): "
                             "moving_variance has a negative value -3"),
            std::string::npos)
      << s.message();
}

TEST(ModelValidateTest, HalfPrecisionStdMustBePositive) {
  Model m = testmodels::makeSmallModel();
  Tensor &std = m.normalization->std;
  std.dtype = DType::F16;
  std.data.assign(12, 0);
  for (size_t i = 0; i < 6; ++i)
    std.data[2 * i + 1] = 0x40; // 0x4000 = 2.0
  EXPECT_TRUE(validateModel(m).ok());
  std.data[2 * 4 + 1] = 0x80; // 0x8000 = -0.0
  Status s = validateModel(m);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("normalization: std has a value -0 that is not "
                             "> 0"),
            std::string::npos)
      << s.message();
}

// FlatBuffers' verifier requires a buffer smaller than 2^31 - 1 bytes (and
// asserts otherwise), whatever ModelLimits says. A real, untouched 2 GiB
// mapping: the size is rejected before any byte is read.
TEST(ModelValidateTest, BufferBeyondFlatBuffersLimitRejected) {
  const size_t size = (size_t(1) << 31) - 1;
  void *p = ::mmap(nullptr, size, PROT_READ,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  ModelLimits generous;
  generous.maxFileBytes = uint64_t(1) << 40;
  Model m;
  Status s = parseModel(p, size, m, "huge.kiln", generous);
  ::munmap(p, size);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "huge.kiln: file is 2147483647 bytes, larger than "
                         "the limit of 2147483646");
}

} // namespace
