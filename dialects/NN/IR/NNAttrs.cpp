//===- NNAttrs.cpp - #nn.activation parsing, printing, verification -------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// #nn.activation<kind[, name = value]*>: the parameters a kind needs must be
// present, the others absent, so one function has exactly one spelling and
// the folding/fusion passes can compare attributes by identity.
//
//===----------------------------------------------------------------------===//

#include "dialects/NN/IR/NNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h" // needed by NNAttrs.cpp.inc (TOOLCHAIN P3)

#include <cmath>

using namespace mlir;
using namespace mlir::nn;

#include "dialects/NN/IR/NNEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/NN/IR/NNAttrs.cpp.inc"

void NNDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/NN/IR/NNAttrs.cpp.inc"
      >();
}

namespace {
/// Which parameters a kind takes, in printing order.
SmallVector<StringRef, 2> requiredParams(ActivationKind kind) {
  switch (kind) {
  case ActivationKind::leaky_relu:
  case ActivationKind::elu:
    return {"alpha"};
  case ActivationKind::selu:
    return {"scale", "alpha"};
  case ActivationKind::rrelu:
    return {"lower", "upper"};
  default:
    return {};
  }
}

std::optional<double> valueOf(FloatAttr attr) {
  if (!attr)
    return std::nullopt;
  return attr.getValueAsDouble();
}
} // namespace

ActivationAttr ActivationAttr::get(MLIRContext *context, ActivationKind kind,
                                   std::optional<double> alpha,
                                   std::optional<double> scale,
                                   std::optional<double> lower,
                                   std::optional<double> upper) {
  Builder b(context);
  auto attr = [&](std::optional<double> v) {
    return v ? b.getF32FloatAttr(float(*v)) : FloatAttr();
  };
  return Base::get(context, kind, attr(alpha), attr(scale), attr(lower),
                   attr(upper));
}

std::optional<double> ActivationAttr::getAlphaValue() const {
  return valueOf(getAlpha());
}
std::optional<double> ActivationAttr::getScaleValue() const {
  return valueOf(getScale());
}
std::optional<double> ActivationAttr::getLowerValue() const {
  return valueOf(getLower());
}
std::optional<double> ActivationAttr::getUpperValue() const {
  return valueOf(getUpper());
}

LogicalResult
ActivationAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       ActivationKind kind, FloatAttr alpha, FloatAttr scale,
                       FloatAttr lower, FloatAttr upper) {
  StringRef name = stringifyActivationKind(kind);
  SmallVector<StringRef, 2> required = requiredParams(kind);
  std::pair<StringRef, FloatAttr> params[] = {
      {"alpha", alpha}, {"scale", scale}, {"lower", lower}, {"upper", upper}};
  for (auto [param, attr] : params) {
    bool needed = llvm::is_contained(required, param);
    if (needed && !attr)
      return emitError() << name << " requires parameter '" << param << "'";
    if (!needed && attr)
      return emitError() << name << " takes no parameter '" << param << "'";
    if (attr && !std::isfinite(attr.getValueAsDouble()))
      return emitError() << "parameter '" << param << "' must be finite";
  }
  switch (kind) {
  case ActivationKind::leaky_relu:
    if (alpha.getValueAsDouble() < 0)
      return emitError() << "leaky_relu alpha must be >= 0";
    break;
  case ActivationKind::elu:
    if (alpha.getValueAsDouble() <= 0)
      return emitError() << "elu alpha must be > 0";
    break;
  case ActivationKind::selu:
    if (scale.getValueAsDouble() <= 0 || alpha.getValueAsDouble() <= 0)
      return emitError() << "selu scale and alpha must be > 0";
    break;
  case ActivationKind::rrelu: {
    double lo = lower.getValueAsDouble(), hi = upper.getValueAsDouble();
    if (!(0 <= lo && lo <= hi && hi <= 1))
      return emitError() << "rrelu needs 0 <= lower <= upper <= 1";
    break;
  }
  default:
    break;
  }
  return success();
}

Attribute ActivationAttr::parse(AsmParser &parser, Type) {
  MLIRContext *ctx = parser.getContext();
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseLess() || parser.parseKeyword(&keyword))
    return {};
  std::optional<ActivationKind> kind = symbolizeActivationKind(keyword);
  if (!kind) {
    parser.emitError(loc) << "unknown activation '" << keyword << "'";
    return {};
  }
  FloatAttr params[4]; // alpha, scale, lower, upper
  const StringRef names[4] = {"alpha", "scale", "lower", "upper"};
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc paramLoc = parser.getCurrentLocation();
    StringRef param;
    double value;
    if (parser.parseKeyword(&param) || parser.parseEqual() ||
        parser.parseFloat(value))
      return {};
    auto *it = llvm::find(names, param);
    if (it == std::end(names)) {
      parser.emitError(paramLoc)
          << "unknown activation parameter '" << param << "'";
      return {};
    }
    FloatAttr &slot = params[it - std::begin(names)];
    if (slot) {
      parser.emitError(paramLoc) << "parameter '" << param << "' given twice";
      return {};
    }
    slot = FloatAttr::get(Float32Type::get(ctx), value);
  }
  if (parser.parseGreater())
    return {};
  return Base::getChecked([&] { return parser.emitError(loc); }, ctx, *kind,
                          params[0], params[1], params[2], params[3]);
}

void ActivationAttr::print(AsmPrinter &printer) const {
  printer << '<' << stringifyActivationKind(getKind());
  for (StringRef param : requiredParams(getKind())) {
    FloatAttr attr = param == "alpha"   ? getAlpha()
                     : param == "scale" ? getScale()
                     : param == "lower" ? getLower()
                                        : getUpper();
    if (!attr)
      continue;
    printer << ", " << param << " = ";
    printer.printFloat(attr.getValue());
  }
  printer << '>';
}
