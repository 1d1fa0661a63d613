//===- AllocsToStack.cpp - Intermediate buffers on the stack --------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Upstream's promote-buffers-to-stack only moves statically shaped buffers;
// a model's intermediates are [batch, units] with a dynamic batch. Bounding
// the batch per call (kilnc's entry point does) bounds these allocas, so all
// of them can move. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_ALLOCSTOSTACKPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// One batch-shaped buffer: its bytes per row and the span of top-level ops
/// (indices in the entry block) during which it holds live data.
struct Buffer {
  memref::AllocOp op;
  int64_t bytesPerRow = 0;
  int64_t first = 0, last = 0;
};

/// A stack slot shared by buffers whose spans do not overlap.
struct Slot {
  int64_t bytesPerRow = 0;
  int64_t last = -1;
  SmallVector<Buffer *> buffers;
};

/// The index of the entry-block op that is or contains `op`.
int64_t topLevelIndex(Operation *op, Block &entry,
                      const DenseMap<Operation *, int64_t> &index) {
  while (op->getBlock() != &entry)
    op = op->getParentOp();
  return index.lookup(op);
}

/// The last entry-block op that uses `value` or anything that may alias it:
/// results of its users that are memrefs (views, casts, reshapes, loops
/// carrying the buffer) are followed, conservatively.
int64_t lastUse(Value value, Block &entry,
                const DenseMap<Operation *, int64_t> &index) {
  int64_t last = 0;
  SmallVector<Value> work{value};
  DenseSet<Value> seen{value};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      last = std::max(last, topLevelIndex(user, entry, index));
      for (Value r : user->getResults())
        if (isa<BaseMemRefType>(r.getType()) && seen.insert(r).second)
          work.push_back(r);
    }
  }
  return last;
}

/// Makes every operand of `op` available before `top` (an op of `entry`):
/// values computed inside `top` by side-effect-free ops (the memref.dim of
/// a buffer that moves out too, index arithmetic) move out with their own
/// operands; anything else fails.
LogicalResult hoistOperands(Operation *op, Operation *top, Block &entry) {
  for (Value v : op->getOperands()) {
    if (v.getParentBlock() == &entry &&
        (isa<BlockArgument>(v) || v.getDefiningOp()->isBeforeInBlock(top)))
      continue;
    Operation *def = v.getDefiningOp();
    if (!def || !top->isProperAncestor(def) || def->getNumRegions() ||
        !isMemoryEffectFree(def) || failed(hoistOperands(def, top, entry)))
      return failure();
    def->moveBefore(top);
  }
  return success();
}

/// The row count `size` as a constant multiple of the batch (dimension 0 of
/// the function's arguments), following index arithmetic and buffers back
/// to where their sizes were set; failure if it is not one.
FailureOr<int64_t> rowsPerBatchRow(Value size, int depth = 0) {
  if (depth > 64)
    return failure();
  if (auto mul = size.getDefiningOp<arith::MulIOp>()) {
    APInt c;
    Value other;
    if (matchPattern(mul.getRhs(), m_ConstantInt(&c)))
      other = mul.getLhs();
    else if (matchPattern(mul.getLhs(), m_ConstantInt(&c)))
      other = mul.getRhs();
    else
      return failure();
    FailureOr<int64_t> r = rowsPerBatchRow(other, depth + 1);
    if (failed(r))
      return failure();
    return c.getSExtValue() * *r;
  }
  auto dim = size.getDefiningOp<memref::DimOp>();
  std::optional<int64_t> which = dim ? dim.getConstantIndex() : std::nullopt;
  if (!which || *which != 0)
    return failure();
  // Follow the buffer back to its allocation (or a function argument).
  Value buffer = dim.getSource();
  while (true) {
    if (auto arg = dyn_cast<BlockArgument>(buffer)) {
      Operation *owner = arg.getOwner()->getParentOp();
      if (isa<func::FuncOp>(owner))
        return 1;
      if (auto loop = dyn_cast<scf::ForOp>(owner)) {
        if (arg.getArgNumber() == 0)
          return failure();
        buffer = loop.getInitArgs()[arg.getArgNumber() - 1];
        continue;
      }
      return failure();
    }
    Operation *def = buffer.getDefiningOp();
    if (auto alloc = dyn_cast<memref::AllocOp>(def))
      return alloc.getDynamicSizes().empty()
                 ? FailureOr<int64_t>(failure())
                 : rowsPerBatchRow(alloc.getDynamicSizes()[0], depth + 1);
    if (auto view = dyn_cast<memref::ViewOp>(def))
      return view.getSizes().empty()
                 ? FailureOr<int64_t>(failure())
                 : rowsPerBatchRow(view.getSizes()[0], depth + 1);
    if (auto loop = dyn_cast<scf::ForOp>(def)) {
      buffer = loop.getInitArgs()[cast<OpResult>(buffer).getResultNumber()];
      continue;
    }
    if (auto viewLike = dyn_cast<ViewLikeOpInterface>(def)) {
      buffer = viewLike.getViewSource();
      continue;
    }
    return failure();
  }
}

struct AllocsToStackPass
    : public kiln::impl::AllocsToStackPassBase<AllocsToStackPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t maxPerRow = 0, maxFixed = 0;
    SmallVector<NamedAttribute> perFunction;
    WalkResult result = module.walk([&](func::FuncOp func) {
      if (func.isExternal())
        return WalkResult::advance();
      FailureOr<std::pair<int64_t, int64_t>> bytes = convert(func);
      if (failed(bytes))
        return WalkResult::interrupt();
      maxPerRow = std::max(maxPerRow, bytes->first);
      maxFixed = std::max(maxFixed, bytes->second);
      Builder b(func.getContext());
      perFunction.push_back(b.getNamedAttr(
          func.getName(),
          b.getDenseI64ArrayAttr({bytes->first, bytes->second})));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    Builder b(module.getContext());
    module->setAttr("kiln.stack_bytes_per_row", b.getI64IntegerAttr(maxPerRow));
    module->setAttr("kiln.stack_bytes_fixed", b.getI64IntegerAttr(maxFixed));
    module->setAttr("kiln.stack_bytes", b.getDictionaryAttr(perFunction));
  }

  /// Rewrites `func`'s allocs; returns its (bytes per row, fixed bytes).
  FailureOr<std::pair<int64_t, int64_t>> convert(func::FuncOp func) {
    Block &entry = func.getBody().front();
    DenseMap<Operation *, int64_t> index;
    for (auto [i, op] : llvm::enumerate(entry))
      index[&op] = i;
    // The batch: dimension 0 of the first batch-shaped argument. Under
    // kilnc's calling convention every argument (input, output) and every
    // intermediate is [batch, ...], which is what lets batch-shaped buffers
    // share slots sized batch × bytes per row.
    Value batchSource;
    for (BlockArgument arg : func.getArguments())
      if (auto type = dyn_cast<MemRefType>(arg.getType());
          type && type.getRank() && type.isDynamicDim(0)) {
        batchSource = arg;
        break;
      }

    int64_t fixed = 0;
    SmallVector<memref::AllocOp> allocs;
    func.walk([&](memref::AllocOp op) { allocs.push_back(op); });
    // A buffer allocated inside a loop (a Monte-Carlo sample loop) holds
    // nothing from one iteration to the next: bufferization allocated it
    // for a tensor.empty, whose contents are undefined. When its sizes are
    // defined outside, it moves before the loop and becomes one more
    // buffer of the function, live across the whole loop.
    for (memref::AllocOp op : allocs) {
      if (op->getBlock() == &entry)
        continue;
      Operation *top = op;
      while (top->getBlock() != &entry)
        top = top->getParentOp();
      if (succeeded(hoistOperands(op, top, entry)))
        op->moveBefore(top);
    }
    index.clear();
    for (auto [i, op] : llvm::enumerate(entry))
      index[&op] = i;
    std::vector<Buffer> buffers;
    for (memref::AllocOp op : allocs) {
      if (op->getBlock() != &entry)
        return op.emitOpError("is inside a loop or conditional and its size "
                              "is computed there: it cannot move to the "
                              "stack");
      MemRefType type = op.getType();
      int64_t elementBytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
      int64_t staticElements = 1;
      for (int64_t i = 0; i < type.getRank(); ++i) {
        if (!type.isDynamicDim(i))
          staticElements *= type.getDimSize(i);
        else if (i != 0)
          return op.emitOpError("has a dynamic dimension other than the batch "
                                "(dimension 0): its stack size is unbounded");
      }
      bool batchShaped = type.getRank() && type.isDynamicDim(0);
      if (batchShaped && !batchSource)
        return op.emitOpError("is batch-shaped but no argument gives the "
                              "batch");
      if (batchShaped && type.getLayout().isIdentity() &&
          type.getMemorySpace() == nullptr) {
        // nn-monte-carlo stacks samples along the batch: a buffer may hold a
        // constant multiple of the batch's rows.
        FailureOr<int64_t> perBatchRow =
            rowsPerBatchRow(op.getDynamicSizes()[0]);
        if (failed(perBatchRow))
          return op.emitOpError("has a row count that is not a constant "
                                "multiple of the batch: its stack size is "
                                "unbounded");
        buffers.push_back({op, *perBatchRow * staticElements * elementBytes,
                           index.lookup(op), 0});
        continue;
      }
      // Static buffers (and unusual layouts) keep an alloca of their own;
      // count the worst-case alignment padding too.
      int64_t align = op.getAlignment().value_or(elementBytes);
      if (batchShaped)
        return op.emitOpError("has a layout or memory space the stack slots "
                              "do not support");
      fixed += staticElements * elementBytes + align;
      OpBuilder builder(op);
      auto alloca = builder.create<memref::AllocaOp>(
          op.getLoc(), type, op.getDynamicSizes(), op.getSymbolOperands(),
          op.getAlignmentAttr());
      op.replaceAllUsesWith(alloca.getResult());
      op.erase();
    }
    if (buffers.empty())
      return std::make_pair(int64_t(0), fixed);

    // Interval assignment in program order: a buffer takes a slot whose
    // last user comes strictly before the buffer's allocation (the largest
    // such slot, so big buffers keep reusing big slots), else a new slot.
    for (Buffer &b : buffers)
      b.last = lastUse(b.op.getResult(), entry, index);
    std::vector<Slot> slots;
    for (Buffer &b : buffers) {
      Slot *best = nullptr;
      for (Slot &slot : slots)
        if (slot.last < b.first &&
            (!best || slot.bytesPerRow > best->bytesPerRow))
          best = &slot;
      if (!best) {
        slots.emplace_back();
        best = &slots.back();
      }
      best->bytesPerRow = std::max(best->bytesPerRow, b.bytesPerRow);
      best->last = b.last;
      best->buffers.push_back(&b);
    }

    // One i8 alloca per slot at the top of the function, sized batch ×
    // bytes per row, and a typed view of it for each buffer.
    constexpr int64_t kSlotAlignment = 64;
    OpBuilder builder(&entry, entry.begin());
    Location loc = func.getLoc();
    Value zero = builder.create<arith::ConstantIndexOp>(loc, 0);
    Value batch = builder.create<memref::DimOp>(loc, batchSource, zero);
    int64_t perRow = 0;
    for (Slot &slot : slots) {
      int64_t rowBytes = llvm::alignTo(slot.bytesPerRow, 4);
      perRow += rowBytes;
      fixed += kSlotAlignment;
      Value size = builder.create<arith::MulIOp>(
          loc, batch, builder.create<arith::ConstantIndexOp>(loc, rowBytes));
      auto i8 = MemRefType::get({ShapedType::kDynamic}, builder.getI8Type());
      Value memory = builder.create<memref::AllocaOp>(
          loc, i8, ValueRange{size}, ValueRange{},
          builder.getI64IntegerAttr(kSlotAlignment));
      for (Buffer *b : slot.buffers) {
        OpBuilder at(b->op);
        Value view =
            at.create<memref::ViewOp>(b->op.getLoc(), b->op.getType(), memory,
                                      zero, b->op.getDynamicSizes());
        b->op.replaceAllUsesWith(view);
        b->op.erase();
      }
    }
    return std::make_pair(perRow, fixed);
  }
};

} // namespace
