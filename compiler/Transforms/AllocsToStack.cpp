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

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <functional>

namespace mlir::kiln {
#define GEN_PASS_DEF_ALLOCSTOSTACKPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// One batch-shaped buffer: its size, bytesPerRow × batch + fixedBytes at
/// most, and the span of program points (ProgramPoints) during which it
/// holds live data.
struct Buffer {
  memref::AllocOp op;
  int64_t bytesPerRow = 0, fixedBytes = 0;
  int64_t first = 0, last = 0;
};

/// A stack slot shared by buffers whose spans do not overlap.
struct Slot {
  int64_t bytesPerRow = 0, fixedBytes = 0;
  int64_t last = -1;
  SmallVector<Buffer *> buffers;
};

/// Program points: every op of a function numbered in pre-order, and for
/// an op with regions the last number inside it.
struct ProgramPoints {
  DenseMap<Operation *, int64_t> pos, end;
  explicit ProgramPoints(func::FuncOp func) {
    int64_t next = 0;
    func.walk<WalkOrder::PreOrder>([&](Operation *op) { pos[op] = next++; });
    func.walk<WalkOrder::PostOrder>([&](Operation *op) {
      int64_t last = pos[op];
      for (Region &r : op->getRegions())
        for (Block &b : r)
          for (Operation &inner : b)
            last = std::max(last, end.lookup(&inner));
      end[op] = last;
    });
  }
};

/// The span of program points during which `value`'s memory holds live
/// data: from its first to its last use, uses of anything that may alias it
/// included (memref results of its users: views, reshapes, loops carrying
/// it), widened to a whole loop when a use sits in a loop that does not
/// contain `home`, where the buffer was allocated (its data then survives
/// from one iteration to the next). A buffer allocated inside a loop is
/// rewritten before it is read in every iteration, so within that loop it
/// lives only from its first to its last use.
std::pair<int64_t, int64_t> liveRange(Value value, Operation *home,
                                      Operation *func,
                                      const ProgramPoints &points) {
  int64_t first = INT64_MAX, last = -1;
  SmallVector<Value> work{value};
  DenseSet<Value> seen{value};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      first = std::min(first, points.pos.lookup(user));
      last = std::max(last, points.pos.lookup(user));
      for (Operation *loop = user->getParentOp(); loop && loop != func;
           loop = loop->getParentOp())
        if (!loop->isAncestor(home)) {
          first = std::min(first, points.pos.lookup(loop));
          last = std::max(last, points.end.lookup(loop));
        }
      for (Value r : user->getResults())
        if (isa<BaseMemRefType>(r.getType()) && seen.insert(r).second)
          work.push_back(r);
    }
  }
  if (last < 0) // never used
    first = last = points.pos.lookup(value.getDefiningOp());
  return {first, last};
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

/// An upper bound of an index value: perBatch × batch + fixedRows, where
/// batch is dimension 0 of the function's arguments.
struct RowBound {
  int64_t perBatch = 0;
  int64_t fixedRows = 0;
  bool isConstant() const { return perBatch == 0; }
  RowBound scaled(int64_t c) const { return {perBatch * c, fixedRows * c}; }
};

/// A bound of a·b from bounds of a and b, one of them a constant.
FailureOr<RowBound> product(RowBound a, RowBound b) {
  if (a.isConstant())
    return b.scaled(a.fixedRows);
  if (b.isConstant())
    return a.scaled(b.fixedRows);
  return failure();
}

/// The smaller of two bounds of one value: the one below the other, else
/// the one that grows slower with the batch.
RowBound smaller(RowBound a, RowBound b) {
  if (a.perBatch == b.perBatch)
    return a.fixedRows <= b.fixedRows ? a : b;
  return a.perBatch < b.perBatch ? a : b;
}

/// A bound of minui(a, b): either operand's bound holds; the smaller is
/// kept (e.g. a sample count clamped to a constant capacity).
FailureOr<RowBound> boundOfMin(FailureOr<RowBound> a, FailureOr<RowBound> b) {
  if (succeeded(a) && succeeded(b))
    return smaller(*a, *b);
  return succeeded(a) ? a : b;
}

/// A bound of select(c, a, b): the larger of the two in each part.
FailureOr<RowBound> boundOfSelect(FailureOr<RowBound> a,
                                  FailureOr<RowBound> b) {
  if (failed(a) || failed(b))
    return failure();
  return RowBound{std::max(a->perBatch, b->perBatch),
                  std::max(a->fixedRows, b->fixedRows)};
}

FailureOr<RowBound> boundOfIndex(Value size, int depth);

/// Dimension `d` of the memref `buffer`, followed back through views,
/// reshapes and loops to where its size was set.
FailureOr<RowBound> boundOfDim(Value buffer, unsigned d, int depth) {
  if (depth > 64)
    return failure();
  auto type = cast<MemRefType>(buffer.getType());
  if (!type.isDynamicDim(d))
    return RowBound{0, type.getDimSize(d)};
  if (auto arg = dyn_cast<BlockArgument>(buffer)) {
    Operation *owner = arg.getOwner()->getParentOp();
    if (isa<func::FuncOp>(owner))
      return d == 0 ? FailureOr<RowBound>(RowBound{1, 0})
                    : FailureOr<RowBound>(failure());
    if (auto loop = dyn_cast<scf::ForOp>(owner); loop && arg.getArgNumber())
      return boundOfDim(loop.getInitArgs()[arg.getArgNumber() - 1], d,
                        depth + 1);
    return failure();
  }
  Operation *def = buffer.getDefiningOp();
  auto nthDynamic = [&](ValueRange sizes) -> FailureOr<RowBound> {
    unsigned k = 0;
    for (unsigned i = 0; i < d; ++i)
      k += type.isDynamicDim(i);
    return k < sizes.size() ? boundOfIndex(sizes[k], depth + 1)
                            : FailureOr<RowBound>(failure());
  };
  if (auto alloc = dyn_cast<memref::AllocOp>(def))
    return nthDynamic(alloc.getDynamicSizes());
  if (auto view = dyn_cast<memref::ViewOp>(def))
    return nthDynamic(view.getSizes());
  if (auto loop = dyn_cast<scf::ForOp>(def))
    return boundOfDim(
        loop.getInitArgs()[cast<OpResult>(buffer).getResultNumber()], d,
        depth + 1);
  if (auto collapse = dyn_cast<memref::CollapseShapeOp>(def)) {
    FailureOr<RowBound> total = RowBound{0, 1};
    for (int64_t k : collapse.getReassociationIndices()[d]) {
      FailureOr<RowBound> part = boundOfDim(collapse.getSrc(), k, depth + 1);
      if (failed(part) || failed(total = product(*total, *part)))
        return failure();
    }
    return total;
  }
  if (auto expand = dyn_cast<memref::ExpandShapeOp>(def))
    return nthDynamic(expand.getOutputShape());
  if (auto castOp = dyn_cast<memref::CastOp>(def))
    return boundOfDim(castOp.getSource(), d, depth + 1);
  if (auto subview = dyn_cast<memref::SubViewOp>(def)) {
    OpFoldResult size = subview.getMixedSizes()[d];
    if (auto attr = dyn_cast<Attribute>(size))
      return RowBound{0, cast<IntegerAttr>(attr).getInt()};
    return boundOfIndex(cast<Value>(size), depth + 1);
  }
  return failure();
}

/// An index value followed back to where it was set: the size operand of
/// an alloc for its memref.dim, through casts and single-dimension groups
/// of reshapes; a dimension of an argument as the pair (argument, d).
std::pair<Value, int64_t> resolveIndex(Value v, int depth = 0) {
  auto dim = v.getDefiningOp<memref::DimOp>();
  std::optional<int64_t> d = dim ? dim.getConstantIndex() : std::nullopt;
  if (!dim || !d || depth > 64)
    return {v, -1};
  Value source = dim.getSource();
  auto type = cast<MemRefType>(source.getType());
  while (depth++ < 64) {
    if (!type.isDynamicDim(*d))
      break;
    Operation *def = source.getDefiningOp();
    if (auto alloc = dyn_cast_or_null<memref::AllocOp>(def))
      return resolveIndex(alloc.getDynamicSizes()[type.getDynamicDimIndex(*d)],
                          depth);
    if (auto castOp = dyn_cast_or_null<memref::CastOp>(def)) {
      source = castOp.getSource();
    } else if (auto collapse = dyn_cast_or_null<memref::CollapseShapeOp>(def)) {
      ArrayRef<int64_t> group = collapse.getReassociationIndices()[*d];
      if (group.size() != 1)
        break;
      source = collapse.getSrc();
      d = group[0];
    } else {
      break;
    }
    type = cast<MemRefType>(source.getType());
  }
  return {source, *d};
}

/// Whether `a` and `b` are provably the same index (the same dimension of
/// one buffer, however many memref.dim copies read it).
bool sameIndex(Value a, Value b) {
  return a == b || resolveIndex(a) == resolveIndex(b);
}

/// A bound of n·m where n counts steps of m rows, `bm` being m's (found
/// once: the min and select cases below recurse on n alone).
FailureOr<RowBound> boundOfSteps(Value n, Value m, FailureOr<RowBound> bm,
                                 int depth) {
  if (depth > 64)
    return failure();
  FailureOr<RowBound> bn = boundOfIndex(n, depth + 1);
  if (succeeded(bn) && succeeded(bm))
    if (FailureOr<RowBound> p = product(*bn, *bm); succeeded(p))
      return p;
  // ⌈c/m⌉ steps of m rows, as (m + c − 1) / m: at most m + c − 1 rows,
  // since ⌊(m + c − 1)/m⌋·m ≤ m + c − 1 (nn-monte-carlo's steps of at
  // least c rows).
  APInt c;
  if (auto div = n.getDefiningOp<arith::DivUIOp>())
    if (auto add = div.getLhs().getDefiningOp<arith::AddIOp>())
      if (succeeded(bm) && sameIndex(div.getRhs(), m) &&
          sameIndex(add.getLhs(), m) &&
          matchPattern(add.getRhs(), m_ConstantInt(&c)) && !c.isNegative())
        return RowBound{bm->perBatch, bm->fixedRows + c.getSExtValue()};
  // min(a, b)·m is at most either product; select(c, a, b)·m the larger.
  if (auto min = n.getDefiningOp<arith::MinUIOp>())
    return boundOfMin(boundOfSteps(min.getLhs(), m, bm, depth + 1),
                      boundOfSteps(min.getRhs(), m, bm, depth + 1));
  if (auto select = n.getDefiningOp<arith::SelectOp>())
    return boundOfSelect(
        boundOfSteps(select.getTrueValue(), m, bm, depth + 1),
        boundOfSteps(select.getFalseValue(), m, bm, depth + 1));
  return failure();
}

/// A bound of n·m where n counts steps of m rows.
FailureOr<RowBound> boundOfProduct(Value n, Value m, int depth) {
  return boundOfSteps(n, m, boundOfIndex(m, depth + 1), depth);
}

FailureOr<RowBound> boundOfIndex(Value size, int depth) {
  if (depth > 64)
    return failure();
  APInt c;
  if (matchPattern(size, m_ConstantInt(&c)))
    return RowBound{0, c.getSExtValue()};
  if (auto mul = size.getDefiningOp<arith::MulIOp>()) {
    FailureOr<RowBound> bound =
        boundOfProduct(mul.getLhs(), mul.getRhs(), depth + 1);
    return succeeded(bound)
               ? bound
               : boundOfProduct(mul.getRhs(), mul.getLhs(), depth + 1);
  }
  if (auto add = size.getDefiningOp<arith::AddIOp>()) {
    FailureOr<RowBound> l = boundOfIndex(add.getLhs(), depth + 1);
    FailureOr<RowBound> r = boundOfIndex(add.getRhs(), depth + 1);
    if (failed(l) || failed(r))
      return failure();
    return RowBound{l->perBatch + r->perBatch, l->fixedRows + r->fixedRows};
  }
  // A one-operand affine.apply (reshape sizes after canonicalization, e.g.
  // (x floordiv 16) * 16) of an operand bounded by u·B or by a constant u:
  // it must be a·x/u on the multiples of u, checked on several of them,
  // and is then bounded by a·B or a. (An operand with both parts is not
  // one of its multiples: no bound.)
  if (auto apply = size.getDefiningOp<affine::AffineApplyOp>()) {
    if (apply->getNumOperands() != 1 ||
        apply.getAffineMap().getNumResults() != 1)
      return failure();
    FailureOr<RowBound> x = boundOfIndex(apply->getOperand(0), depth + 1);
    if (failed(x) || (x->perBatch != 0 && x->fixedRows != 0))
      return failure();
    int64_t unit = x->isConstant() ? x->fixedRows : x->perBatch;
    MLIRContext *ctx = size.getContext();
    std::optional<int64_t> a;
    for (int64_t t : {1, 2, 3, 5, 8, 13, 64, 1000}) {
      SmallVector<Attribute> in{
          IntegerAttr::get(IndexType::get(ctx), unit * t)};
      SmallVector<Attribute> out;
      if (failed(apply.getAffineMap().constantFold(in, out)) || out.size() != 1)
        return failure();
      int64_t v = cast<IntegerAttr>(out[0]).getInt();
      if (v % t || (a && *a != v / t))
        return failure();
      a = v / t;
    }
    return x->isConstant() ? RowBound{0, *a} : RowBound{*a, 0};
  }
  if (auto min = size.getDefiningOp<arith::MinUIOp>())
    return boundOfMin(boundOfIndex(min.getLhs(), depth + 1),
                      boundOfIndex(min.getRhs(), depth + 1));
  if (auto select = size.getDefiningOp<arith::SelectOp>())
    return boundOfSelect(boundOfIndex(select.getTrueValue(), depth + 1),
                         boundOfIndex(select.getFalseValue(), depth + 1));
  // (a·B + b) / c, as canonicalization rewrites a reshape's sizes: at most
  // (a/c)·B + ⌊b/c⌋ when c divides a.
  if (auto div = size.getDefiningOp<arith::DivUIOp>()) {
    FailureOr<RowBound> n = boundOfIndex(div.getLhs(), depth + 1);
    if (failed(n) || !matchPattern(div.getRhs(), m_ConstantInt(&c)) ||
        c.isZero() || n->perBatch % c.getSExtValue())
      return failure();
    return RowBound{n->perBatch / c.getSExtValue(),
                    n->fixedRows / c.getSExtValue()};
  }
  if (auto dim = size.getDefiningOp<memref::DimOp>()) {
    std::optional<int64_t> which = dim.getConstantIndex();
    if (!which)
      return failure();
    return boundOfDim(dim.getSource(), unsigned(*which), depth + 1);
  }
  return failure();
}

struct AllocsToStackPass
    : public kiln::impl::AllocsToStackPassBase<AllocsToStackPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringMap<std::pair<int64_t, int64_t>> own;
    WalkResult result = module.walk([&](func::FuncOp func) {
      if (func.isExternal())
        return WalkResult::advance();
      FailureOr<std::pair<int64_t, int64_t>> bytes = convert(func);
      if (failed(bytes))
        return WalkResult::interrupt();
      own[func.getName()] = *bytes;
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    // A function's need includes its deepest callee's: the kernels and the
    // Monte-Carlo dropout functions have frames of their own below the
    // caller's. A call cycle has no bound: an error.
    llvm::StringMap<std::pair<int64_t, int64_t>> total;
    llvm::StringSet<> inProgress;
    std::function<FailureOr<std::pair<int64_t, int64_t>>(func::FuncOp)> needOf =
        [&](func::FuncOp func) -> FailureOr<std::pair<int64_t, int64_t>> {
      auto it = total.find(func.getName());
      if (it != total.end())
        return it->second;
      if (!inProgress.insert(func.getName()).second) {
        func.emitError("kiln-allocs-to-stack: '")
            << func.getName() << "' is recursive; its stack use has no bound";
        return failure();
      }
      std::pair<int64_t, int64_t> need = own.lookup(func.getName());
      int64_t deepest = 0;
      WalkResult calls = func.walk([&](func::CallOp call) {
        auto callee = module.lookupSymbol<func::FuncOp>(call.getCalleeAttr());
        if (!callee || callee.isExternal())
          return WalkResult::advance();
        FailureOr<std::pair<int64_t, int64_t>> c = needOf(callee);
        if (failed(c))
          return WalkResult::interrupt();
        // A callee's per-row bytes count rows of its own arguments, which
        // this pass does not relate to the caller's batch.
        if (c->first != 0) {
          call.emitError("kiln-allocs-to-stack: callee '")
              << callee.getName()
              << "' needs stack per row; only fixed-size callee frames "
                 "are supported";
          return WalkResult::interrupt();
        }
        deepest = std::max(deepest, c->second);
        return WalkResult::advance();
      });
      if (calls.wasInterrupted())
        return failure();
      need.second += deepest;
      inProgress.erase(func.getName());
      total[func.getName()] = need;
      return need;
    };
    SmallVector<NamedAttribute> perFunction;
    Builder b(module.getContext());
    for (func::FuncOp func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      FailureOr<std::pair<int64_t, int64_t>> need = needOf(func);
      if (failed(need))
        return signalPassFailure();
      perFunction.push_back(b.getNamedAttr(
          func.getName(), b.getDenseI64ArrayAttr({need->first, need->second})));
    }
    module->setAttr("kiln.stack_bytes", b.getDictionaryAttr(perFunction));
  }

  /// Rewrites `func`'s allocs; returns its (bytes per row, fixed bytes).
  FailureOr<std::pair<int64_t, int64_t>> convert(func::FuncOp func) {
    Block &entry = func.getBody().front();
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
    // defined outside, it moves before the loop; liveRange still knows
    // its home was the loop, so it shares slots with its neighbours there.
    DenseMap<Operation *, Operation *> home;
    for (memref::AllocOp op : allocs)
      home[op] = op->getParentOp();
    for (memref::AllocOp op : allocs) {
      if (op->getBlock() == &entry)
        continue;
      Operation *top = op;
      while (top->getBlock() != &entry)
        top = top->getParentOp();
      if (succeeded(hoistOperands(op, top, entry)))
        op->moveBefore(top);
    }
    std::vector<Buffer> buffers;
    for (memref::AllocOp op : allocs) {
      // A buffer still inside a loop has its size computed there (the last,
      // shorter step of a sample loop): only a batch-shaped one can be (a
      // static one was hoisted above), and it keeps its place as a view of
      // a slot sized for its bound.
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
        // nn-monte-carlo stacks samples along the batch: a buffer may hold
        // a·batch + b rows.
        FailureOr<RowBound> rows = boundOfIndex(op.getDynamicSizes()[0], 0);
        if (failed(rows))
          return op.emitOpError("has a row count with no bound of the form "
                                "a·batch + b: its stack size is unbounded");
        int64_t rowBytes = staticElements * elementBytes;
        buffers.push_back(
            {op, rows->perBatch * rowBytes, rows->fixedRows * rowBytes, 0, 0});
        continue;
      }
      if (batchShaped)
        return op.emitOpError("has a layout or memory space the stack slots "
                              "do not support");
      // Static buffers keep an alloca of their own; count the worst-case
      // alignment padding too.
      int64_t align = op.getAlignment().value_or(elementBytes);
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
    // live data ends strictly before the buffer's begins (the largest such
    // slot, so big buffers keep reusing big slots), else a new slot.
    ProgramPoints points(func);
    for (Buffer &b : buffers)
      std::tie(b.first, b.last) =
          liveRange(b.op.getResult(), home.lookup(b.op), func, points);
    llvm::sort(buffers, [&](const Buffer &x, const Buffer &y) {
      return std::make_pair(x.first, points.pos.lookup(x.op)) <
             std::make_pair(y.first, points.pos.lookup(y.op));
    });
    std::vector<Slot> slots;
    for (Buffer &b : buffers) {
      Slot *best = nullptr;
      for (Slot &slot : slots)
        if (slot.last < b.first &&
            (!best || std::make_pair(slot.bytesPerRow, slot.fixedBytes) >
                          std::make_pair(best->bytesPerRow, best->fixedBytes)))
          best = &slot;
      if (!best) {
        slots.emplace_back();
        best = &slots.back();
      }
      best->bytesPerRow = std::max(best->bytesPerRow, b.bytesPerRow);
      best->fixedBytes = std::max(best->fixedBytes, b.fixedBytes);
      best->last = b.last;
      best->buffers.push_back(&b);
    }

    // One i8 alloca per slot at the top of the function, sized batch ×
    // bytes per row + fixed bytes, and a typed view of it for each buffer.
    constexpr int64_t kSlotAlignment = 64;
    OpBuilder builder(&entry, entry.begin());
    Location loc = func.getLoc();
    Value zero = builder.create<arith::ConstantIndexOp>(loc, 0);
    Value batch = builder.create<memref::DimOp>(loc, batchSource, zero);
    int64_t perRow = 0;
    for (Slot &slot : slots) {
      int64_t rowBytes = llvm::alignTo(slot.bytesPerRow, 4);
      int64_t slotFixed = llvm::alignTo(slot.fixedBytes, 4);
      perRow += rowBytes;
      fixed += slotFixed + kSlotAlignment;
      Value size = builder.create<arith::MulIOp>(
          loc, batch, builder.create<arith::ConstantIndexOp>(loc, rowBytes));
      if (slotFixed)
        size = builder.create<arith::AddIOp>(
            loc, size, builder.create<arith::ConstantIndexOp>(loc, slotFixed));
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
