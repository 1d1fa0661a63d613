//===- ModelValidateTest.cpp - Semantic validation and helpers ------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#include "test/Unit/Schema/TestModels.h"

#include <gtest/gtest.h>

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

} // namespace
