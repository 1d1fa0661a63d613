//===- BadModelTest.cpp - The loader rejects every bad file clearly -------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// One test per corpus entry (TestModels.cpp): the file is rejected, the
// message names the source and contains the entry's specific error. Under
// ASan/UBSan this also proves no out-of-bounds read or UB on the way.
//
//===----------------------------------------------------------------------===//

#include "test/Unit/Schema/TestModels.h"

#include <gtest/gtest.h>

using namespace kiln;

namespace {

class BadModelTest : public ::testing::TestWithParam<testmodels::BadModelFile> {
};

TEST_P(BadModelTest, RejectedWithSpecificError) {
  const testmodels::BadModelFile &file = GetParam();
  Model m;
  Status s =
      parseModel(file.bytes.data(), file.bytes.size(), m, file.name + ".kiln");
  if (file.expectedError.empty()) {
    // A bit flip may land in weight bits; if the file loads, it is valid.
    if (s.ok())
      EXPECT_TRUE(validateModel(m).ok());
    else
      EXPECT_EQ(s.message().rfind(file.name + ".kiln: ", 0), 0u) << s.message();
    return;
  }
  ASSERT_FALSE(s.ok()) << "accepted bad file " << file.name;
  EXPECT_EQ(s.message().rfind(file.name + ".kiln: ", 0), 0u) << s.message();
  EXPECT_NE(s.message().find(file.expectedError), std::string::npos)
      << "expected '" << file.expectedError << "' in: " << s.message();
}

INSTANTIATE_TEST_SUITE_P(
    Corpus, BadModelTest, ::testing::ValuesIn(testmodels::badModelFiles()),
    [](const ::testing::TestParamInfo<testmodels::BadModelFile> &info) {
      std::string name = info.param.name;
      for (char &c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)))
          c = '_';
      return name;
    });

TEST(BadModelCorpusTest, MostEntriesHaveASpecificError) {
  size_t specific = 0;
  for (const testmodels::BadModelFile &f : testmodels::badModelFiles())
    specific += !f.expectedError.empty();
  EXPECT_GE(specific, 25u);
}

// Cutting a file short must never crash or produce a different model. The
// tail of a FlatBuffer can be alignment padding, so a prefix that only loses
// padding legitimately loads; it must then be the same model.
TEST(BadModelCorpusTest, EveryPrefixIsRejectedOrLosesOnlyPadding) {
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(serializeModel(testmodels::makeSmallModel(), bytes).ok());
  size_t accepted = 0;
  for (size_t n = 0; n < bytes.size(); ++n) {
    Model m;
    if (!parseModel(bytes.data(), n, m, "prefix.kiln").ok())
      continue;
    ++accepted;
    std::vector<uint8_t> again;
    ASSERT_TRUE(serializeModel(m, again).ok());
    EXPECT_EQ(again, bytes) << "a " << n << "-byte prefix loaded differently";
  }
  EXPECT_LE(accepted, 7u) << "more prefixes loaded than padding explains";
}

} // namespace
