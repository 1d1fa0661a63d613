//===- FunctionsTest.cpp - compiler/Utils' shared private functions ------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// getOrCreatePrivateFunction names a function after a hash of its key. Two
// keys whose hashes collide cannot be found by search, so a collision is
// simulated: the hashed name is taken by a function with another key, as
// a colliding configuration would have left it.
//
//===----------------------------------------------------------------------===//

#include "compiler/Utils/Functions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

class FunctionsTest : public ::testing::Test {
protected:
  FunctionsTest() : b(&context) {
    context.loadDialect<func::FuncDialect, arith::ArithDialect>();
    module = ModuleOp::create(b.getUnknownLoc());
  }
  ~FunctionsTest() override { module->erase(); }

  /// A function returning constant `value`, for key `key`.
  func::FuncOp get(StringRef key, int32_t value, int *built = nullptr) {
    auto type = b.getFunctionType({}, {b.getI32Type()});
    return kiln::getOrCreatePrivateFunction(
        b, module, b.getUnknownLoc(), "__test", key, type, std::nullopt,
        [&](OpBuilder &fb, Block &) {
          if (built)
            ++*built;
          Value c = fb.create<arith::ConstantOp>(fb.getUnknownLoc(),
                                                 fb.getI32IntegerAttr(value));
          fb.create<func::ReturnOp>(fb.getUnknownLoc(), c);
        });
  }

  MLIRContext context;
  OpBuilder b;
  ModuleOp module;
};

TEST_F(FunctionsTest, OneFunctionPerKey) {
  int built = 0;
  func::FuncOp first = get("a", 1, &built);
  EXPECT_EQ(get("a", 1, &built), first);
  EXPECT_EQ(built, 1);
  EXPECT_TRUE(first.isPrivate());
  func::FuncOp other = get("b", 2, &built);
  EXPECT_NE(other, first);
  EXPECT_EQ(built, 2);
}

TEST_F(FunctionsTest, CollidingKeysGetTheirOwnFunctions) {
  // The name key "c" hashes to, then freed.
  func::FuncOp c = get("c", 3);
  std::string hashed = c.getSymName().str();
  c.erase();
  // Key "a"'s function moved onto that name: "a" and "c" collide.
  func::FuncOp a = get("a", 1);
  a.setSymName(hashed);
  int built = 0;
  func::FuncOp c2 = get("c", 3, &built);
  EXPECT_NE(c2, a);
  EXPECT_EQ(built, 1);
  EXPECT_EQ(c2.getSymName(), hashed + "_1");
  auto ret = cast<func::ReturnOp>(c2.getBody().front().getTerminator());
  auto value = ret.getOperand(0).getDefiningOp<arith::ConstantOp>();
  ASSERT_TRUE(value);
  EXPECT_EQ(cast<IntegerAttr>(value.getValue()).getInt(), 3);
  // Found again by its key, past the colliding one.
  EXPECT_EQ(get("c", 3, &built), c2);
  EXPECT_EQ(built, 1);
}

} // namespace
