// RUN: kiln-opt %s --split-input-file --convert-nn-to-vector="vector-bits=128" | FileCheck %s
// RUN: kiln-opt %s --split-input-file --convert-nn-to-vector="vector-bits=512" | FileCheck %s --check-prefix=AVX512
// RUN: not kiln-opt %s --split-input-file --convert-nn-to-vector="vector-bits=100" 2>&1 | FileCheck %s --check-prefix=BITS

// BITS: vector-bits must be 128, 256 or 512, not 100

// 128 bits: L = 4 lanes, tiles of M = 4 rows × V = 2 vectors. Units 0..7
// form panel 0 (2 vectors), units 8..9 panel 1 (1 vector). Packed: panel 0
// row k holds W[k][0..7], then panel 1 row k holds W[k][8..9], then 4 zeros.
// CHECK-LABEL: func @dense_elu
// CHECK-DAG: arith.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 1.000000e+01, 1.100000e+01, 1.200000e+01, 1.300000e+01, 1.400000e+01, 1.500000e+01, 1.600000e+01, 1.700000e+01, 8.000000e+00, 9.000000e+00, 1.800000e+01, 1.900000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<24xf32>
// Bias padded to whole vectors.
// CHECK-DAG: arith.constant dense<[5.000000e-01, 5.000000e-01, 5.000000e-01, 5.000000e-01, 5.000000e-01, 5.000000e-01, 5.000000e-01, 5.000000e-01, 5.000000e-01, 5.000000e-01, 0.000000e+00, 0.000000e+00]> : tensor<12xf32>
// The layer calls its shape's kernel with the packed constants and a
// destination the kernel writes in place.
// CHECK: %[[EMPTY:.*]] = tensor.empty(%{{.*}}) : tensor<?x10xf32>
// CHECK: %[[Y:.*]] = call @[[KERNEL:__kiln_dense_2x10_[0-9a-fx]+]](%arg0, %{{.*}}, %{{.*}}, %[[EMPTY]]) : (tensor<?x2xf32>, tensor<24xf32>, tensor<12xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
// CHECK: return %[[Y]]
// CHECK: func.func private @[[KERNEL]](%{{.*}}: tensor<?x2xf32>, %{{.*}}: tensor<24xf32>, %{{.*}}: tensor<12xf32>, %{{.*}}: tensor<?x10xf32> {bufferization.writable = true}) -> tensor<?x10xf32>
// Rows: tiles of 4 up to END (the batch; the batch − 1 when exactly one
// row is left over, the batch − 2 when two are), the last tile partial,
// then a two-row tile up to PAIREND when two rows are left, then single
// rows from ONESTART (END when one is left, else B) up to B.
// CHECK: %[[B:.*]] = tensor.dim %{{.*}}, %c0
// CHECK: %[[REM:.*]] = arith.remui %[[B]], %c4
// CHECK: %[[ONE:.*]] = arith.cmpi eq, %[[REM]], %c1
// CHECK: %[[TWO:.*]] = arith.cmpi eq, %[[REM]], %c2
// CHECK: %[[TWOORFEW:.*]] = arith.ori %[[TWO]], %{{.*}}
// CHECK: %[[BMREM:.*]] = arith.subi %[[B]], %[[REM]]
// CHECK: %[[BM1:.*]] = arith.subi %[[B]], %c1
// CHECK: %[[E1:.*]] = arith.select %[[ONE]], %[[BM1]], %[[B]]
// CHECK: %[[END:.*]] = arith.select %[[TWOORFEW]], %[[BMREM]], %[[E1]]
// CHECK: %[[PAIRS:.*]] = arith.addi %[[END]], %c2
// CHECK: %[[PAIREND:.*]] = arith.select %[[TWO]], %[[PAIRS]], %[[END]]
// CHECK: %[[ONESTART:.*]] = arith.select %[[ONE]], %[[END]], %[[B]]
// The one full panel (units 0..7) in the panel loop: offsets p·8, p·16.
// CHECK: scf.for %[[P:.*]] = %{{.*}} to %{{.*}} step
// CHECK: arith.muli %[[P]], %c8
// CHECK: arith.muli %[[P]], %c16
// Tiles of 4 rows: rows past END recompute row END − 1 and are not stored.
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[END]] step %c4
// CHECK: %[[LAST:.*]] = arith.subi %[[END]], %c1
// CHECK: %[[R1:.*]] = arith.addi %[[I]], %c1
// CHECK: %[[V1:.*]] = arith.cmpi ult, %[[R1]], %[[END]]
// CHECK: arith.minui %[[R1]], %[[LAST]]
// 8 accumulators over k.
// CHECK: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK-COUNT-8: vector.fma
// CHECK: scf.yield
// Epilogue: bias and whole-vector stores, no ELU yet (it follows the
// panel's rows); row 1 only if it is a real row.
// CHECK: arith.addf
// CHECK-NOT: math.exp
// CHECK-NOT: call
// CHECK: vector.transfer_write {{.*}} {in_bounds = [true]}
// CHECK: scf.if %[[V1]]
// Two leftover rows: one exact two-row tile, 4 accumulators, no guard.
// CHECK: scf.for %{{.*}} = %[[END]] to %[[PAIREND]] step %c2
// CHECK: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>) {
// CHECK-NOT: scf.if
// Leftover single rows: 2 accumulators, summed in the tiles' order.
// CHECK: scf.for %{{.*}} = %[[ONESTART]] to %[[B]] step %c1
// CHECK: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>) {
// ELU over the panel's rows in place, after all its tiles: per row, its
// two whole vectors in a loop, the polynomial inlined once.
// CHECK: scf.for %[[AR:.*]] = %{{.*}} to %[[B]] step
// CHECK: scf.for
// CHECK: vector.transfer_read %{{.*}}[%[[AR]], %{{.*}}], %{{[a-z0-9_]+}} {in_bounds = [true]} : tensor<?x10xf32>
// CHECK: arith.shli %{{.*}} : vector<4xi32>
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%[[AR]], %{{.*}}] {in_bounds = [true]}
// The last panel (units 8, 9): one vector whose store is masked (not
// in_bounds), after the panel loop, then its ELU, masked too.
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[END]] step %c4
// CHECK: %[[COL:.*]] = arith.addi %c8{{.*}}, %c0
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%{{.*}}, %[[COL]]] : vector<4xf32>
// CHECK: scf.for %[[AR2:.*]] = %{{.*}} to %[[B]] step
// CHECK: vector.transfer_read %{{.*}}[%[[AR2]], %{{.*}}], %{{[a-z0-9_]+}} : tensor<?x10xf32>
// CHECK: arith.shli %{{.*}} : vector<4xi32>
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%[[AR2]], %{{.*}}] : vector<4xf32>
// CHECK-NOT: call @__kiln_act
func.func @dense_elu(%x: tensor<?x2xf32>) -> tensor<?x10xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
                             [10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0]]> : tensor<2x10xf32>
  %b = arith.constant dense<0.5> : tensor<10xf32>
  %y = nn.dense %x, %w, %b {activation = #nn.activation<elu, alpha = 1.0>} : (tensor<?x2xf32>, tensor<2x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

// -----

// Two layers of one shape share one kernel function.
// CHECK-LABEL: func @same_shape
// CHECK: call @[[K:__kiln_dense_3x3_[0-9a-fx]+]](
// CHECK: call @[[K]](
// CHECK-NOT: nn.dense
// CHECK: func.func private @[[K]](
// CHECK-NOT: func.func private @__kiln_dense
func.func @same_shape(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %w1 = arith.constant dense<1.0> : tensor<3x3xf32>
  %w2 = arith.constant dense<2.0> : tensor<3x3xf32>
  %y1 = nn.dense %x, %w1 {activation = #nn.activation<relu>} : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
  %y2 = nn.dense %y1, %w2 {activation = #nn.activation<relu>} : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
  return %y2 : tensor<?x3xf32>
}

// -----

// Softmax is not elementwise: the kernel stores the logits, then a loop
// over rows takes the softmax of each (one vector per row).
// CHECK-LABEL: func @dense_softmax
// CHECK: call @__kiln_dense_2x3_
// CHECK: scf.for
// CHECK: vector.reduction <maximumf>
// CHECK: math.exp
// CHECK: func.func private @__kiln_dense_2x3_{{.*}} attributes {kiln.function_key = {{.*}}, passthrough = ["noinline"]}
// CHECK: vector.fma
func.func @dense_softmax(%x: tensor<?x2xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<1.0> : tensor<2x3xf32>
  %y = nn.dense %x, %w {activation = #nn.activation<softmax>} : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// 16-bit weights (nn-quantize) are packed in 16 bits, in the same
// layout (one panel of 5 units, k-major, then 4 zeros), and each loaded
// vector widens to f32 once, before its FMAs.
// CHECK-LABEL: func @dense_f16_weights
// CHECK: arith.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<14xf16>
// CHECK: func.func private @__kiln_dense_2x5_{{.*}}(%{{.*}}: tensor<?x2xf32>, %[[PACKED:.*]]: tensor<14xf16>,
// CHECK: %[[V:.*]] = vector.transfer_read %[[PACKED]][%{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<14xf16>, vector<4xf16>
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[V]] : vector<4xf16> to vector<4xf32>
// CHECK: vector.fma %{{.*}}, %[[W]], %{{.*}} : vector<4xf32>
func.func @dense_f16_weights(%x: tensor<?x2xf32>) -> tensor<?x5xf32> {
  %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0, 9.0]]> : tensor<2x5xf16>
  %y = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x5xf16>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}

// -----

// One constant in two functions (the Monte-Carlo entry points are clones of
// the model function) is packed once: both use the same packed blob; so
// does an equal blob under another name (BatchNorm folding makes one per
// function).
// CHECK-LABEL: func @shared_a
// CHECK: arith.constant dense_resource<[[P:packed[_0-9]*]]> : tensor<12xf32>
// CHECK-LABEL: func @shared_b
// CHECK: arith.constant dense_resource<[[P]]> : tensor<12xf32>
// CHECK-LABEL: func @shared_c
// CHECK: arith.constant dense_resource<[[P]]> : tensor<12xf32>
// CHECK-NOT: dense_resource<packed
func.func @shared_a(%x: tensor<?x2xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense_resource<shared> : tensor<2x4xf32>
  %y = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
func.func @shared_b(%x: tensor<?x2xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense_resource<shared> : tensor<2x4xf32>
  %y = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
func.func @shared_c(%x: tensor<?x2xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense_resource<equal> : tensor<2x4xf32>
  %y = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      shared: "0x040000000000803F0000004000004040000080400000A0400000C0400000E04000000041",
      equal: "0x040000000000803F0000004000004040000080400000A0400000C0400000E04000000041"
    }
  }
#-}

// -----

// Weights that are not constants cannot be packed: the op is left for
// convert-nn-to-linalg.
// CHECK-LABEL: func @runtime_weights
// CHECK: nn.dense
// CHECK-NOT: vector.fma
func.func @runtime_weights(%x: tensor<?x2xf32>, %w: tensor<2x3xf32>) -> tensor<?x3xf32> {
  %y = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// A Dense on the samples of a dropout of a shared input: its product with
// the weights once, where the input is defined (summed in f64 over the
// same packed panels, rounded once), then the kernel per call: per sample,
// its dropped units listed (16 decisions at a time, units 16..31 masked to
// the 4 that exist; at 128 bits lane by lane, each unit stored at the end
// and the end moved by its bit; with AVX-512 one compressing store) and 8
// −1 end marks; then the tiles run over the list only, and the epilogue is
// relu((P − Σ) · 1/(1 − 0.2) + b), stored from row j·B.
// CHECK-LABEL: func.func @mc_dense(
// CHECK-NOT: nn.mc_dropout_stack
// CHECK: %[[P:.*]] = call @[[F64:__kiln_dense_f64_20x5_[0-9a-fx]+]](%arg0, %{{.*}}, %{{.*}})
// CHECK: %[[ROWS:.*]] = arith.muli %{{.*}}, %arg3
// CHECK: %[[OUT:.*]] = tensor.empty(%[[ROWS]]) : tensor<?x5xf32>
// CHECK: call @[[MC:__kiln_mc_dense_20x5_[0-9a-fx]+]](%arg0, %[[P]], %{{.*}}, %{{.*}}, %arg1, %c3_i32, %arg2, %arg3, %[[OUT]])
// CHECK: func.func private @[[F64]](
// CHECK: scf.for {{.*}} -> (vector<2xf64>, vector<2xf64>, vector<2xf64>, vector<2xf64>, vector<2xf64>, vector<2xf64>)
// CHECK: arith.extf %{{.*}} : vector<2xf32> to vector<2xf64>
// CHECK: vector.fma {{.*}} : vector<2xf64>
// CHECK: arith.truncf %{{.*}} : vector<2xf64> to vector<2xf32>
// CHECK: func.func private @[[MC]](%{{.*}}: tensor<?x20xf32>, %[[PA:.*]]: tensor<?x5xf32>, %[[WA:[^:]*]]: tensor<{{[0-9]+}}xf32>, %{{.*}}: tensor<8xf32>, %{{.*}}: i64, %{{.*}}: i32, %{{.*}}: i32, %[[COUNT:.*]]: index, %{{.*}}: tensor<?x5xf32> {bufferization.writable = true})
// CHECK: %[[WBUF:.*]] = bufferization.to_memref %[[WA]] read_only
// CHECK: %[[WINT:.*]] = memref.extract_aligned_pointer_as_index %[[WBUF]]
// CHECK: %[[WI64:.*]] = arith.index_castui %[[WINT]] : index to i64
// CHECK: %[[WEIGHTS:.*]] = llvm.inttoptr %[[WI64]] : i64 to !llvm.ptr
// CHECK: %[[LIST:.*]] = memref.alloc() : memref<32xi32>
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[COUNT]]
// CHECK: %[[EVERY:.*]] = arith.constant dense<true> : vector<16xi1>
// CHECK: %[[END:.*]] = scf.for %{{.*}} = %{{.*}} to %c1{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (index)
// CHECK: %[[T:.*]] = arith.constant dense<13108> : vector<16xi32>
// CHECK: %[[KEEP:.*]] = arith.cmpi uge, %{{.*}}, %[[T]] : vector<16xi32>
// CHECK: %[[DROP:.*]] = arith.xori %[[KEEP]], %[[EVERY]] : vector<16xi1>
// CHECK: %[[DECIDED:.*]] = vector.bitcast %[[DROP]] : vector<16xi1> to vector<1xi16>
// CHECK: %[[MASK:.*]] = arith.extui %{{.*}} : i16 to i32
// CHECK: memref.store %{{.*}}, %[[LIST]][%[[AT:.*]]] : memref<32xi32>
// CHECK: %[[BIT:.*]] = arith.andi %{{.*}}, %{{.*}} : i32
// CHECK: %[[STEP:.*]] = arith.index_castui %[[BIT]] : i32 to index
// CHECK: arith.addi %[[AT]], %[[STEP]] : index
// CHECK-COUNT-15: memref.store %{{.*}}, %[[LIST]]
// CHECK: %[[EXIST:.*]] = vector.create_mask %{{.*}} : vector<16xi1>
// CHECK: arith.andi %{{.*}}, %[[EXIST]] : vector<16xi1>
// CHECK-NOT: vector.compressstore
// CHECK: %[[MARK:.*]] = arith.constant -1 : i32
// CHECK: memref.store %[[MARK]], %[[LIST]][%[[END]]] : memref<32xi32>
// CHECK: %[[END7:.*]] = arith.addi %[[END]], %c7{{.*}} : index
// CHECK: memref.store %[[MARK]], %[[LIST]][%[[END7]]] : memref<32xi32>
// CHECK-NOT: memref.store %[[MARK]]
// CHECK: %[[FIRST:.*]] = arith.muli %[[J]], %{{.*}} : index
// CHECK: %[[SUMS:.*]]:10 = scf.while (%[[AT0:[^ ]*]] = %{{[^,]*}},
// CHECK: %[[U:.*]] = memref.load %[[LIST]][%[[AT0]]] : memref<32xi32>
// CHECK: %[[MORE:.*]] = arith.cmpi sge, %[[U]], %{{.*}} : i32
// CHECK: scf.condition(%[[MORE]])
// The weight row of the unit listed 8 entries ahead (−1: row 0): a k step
// loads 2 vectors, 32 bytes, from a row start that moves by 20 bytes (the
// 5-unit panel's rows): the lines of its first byte and its last.
// CHECK: ^bb0(%{{.*}}: index, %[[AT:.*]]: index,
// CHECK: %[[AHEAD:.*]] = arith.addi %[[AT]], %c8{{.*}} : index
// CHECK: %[[NEXT:.*]] = memref.load %[[LIST]][%[[AHEAD]]] : memref<32xi32>
// CHECK: arith.maxsi %[[NEXT]], %c0{{.*}} : i32
// CHECK: %[[ROW:.*]] = llvm.getelementptr %[[WEIGHTS]][%{{.*}}] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK: %[[READ:.*]] = arith.constant 0 : i32
// CHECK: %[[KEEP3:.*]] = arith.constant 3 : i32
// CHECK: %[[DATA:.*]] = arith.constant 1 : i32
// CHECK: call @llvm.prefetch.p0(%[[ROW]], %[[READ]], %[[KEEP3]], %[[DATA]]) : (!llvm.ptr, i32, i32, i32) -> ()
// CHECK: %[[B31:.*]] = llvm.getelementptr %[[ROW]][31] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK: call @llvm.prefetch.p0(%[[B31]],
// CHECK-NOT: call @llvm.prefetch.p0
// CHECK: vector.fma
// CHECK: %[[SCALE:.*]] = arith.constant dense<1.250000e+00> : vector<4xf32>
// CHECK: %[[PV:.*]] = vector.transfer_read %[[PA]]
// CHECK: %[[DIFF:.*]] = arith.subf %[[PV]], %[[SUMS]]#2 : vector<4xf32>
// CHECK: %[[SCALED:.*]] = arith.mulf %[[DIFF]], %[[SCALE]] : vector<4xf32>
// CHECK: arith.addf %[[SCALED]]
// CHECK: arith.maximumf
// CHECK: %[[OUTROW:.*]] = arith.addi %[[FIRST]], %{{.*}} : index
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%[[OUTROW]], %{{.*}}]
// With AVX-512 the Monte-Carlo kernels keep fewer tile shapes: the shared
// product only 3-row tiles (partial at the end; no one-row kernel), the
// correction 4-row tiles and a one-row kernel (no two-row tile).
// AVX512-LABEL: func.func private @__kiln_dense_f64_20x5_
// AVX512: scf.for {{.*}} -> (vector<8xf64>, vector<8xf64>, vector<8xf64>) {
// AVX512-NOT: -> (vector<8xf64>) {
// AVX512-LABEL: func.func private @__kiln_mc_dense_20x5_
// AVX512: vector.compressstore %{{.*}}[%{{.*}}], %{{.*}}, %{{.*}} : memref<32xi32>, vector<16xi1>, vector<16xi32>
// AVX512: math.ctpop %{{.*}} : i16
// AVX512: scf.while {{.*}} -> (index, index, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// AVX512-NOT: -> (index, index, vector<16xf32>, vector<16xf32>) {
// AVX512: scf.while {{.*}} -> (index, index, vector<16xf32>) {
// AVX512-LABEL: func.func private @__kiln_philox_u16_
func.func @mc_dense(%x: tensor<?x20xf32>, %seed: i64, %s: i32, %n: index) -> tensor<?x5xf32> {
  %w = arith.constant dense<0.5> : tensor<20x5xf32>
  %b = arith.constant dense<0.25> : tensor<5xf32>
  %0 = nn.mc_dropout_stack %x, %seed, %s, %n {rate = 0.2 : f32, stream = 3 : ui32} : (tensor<?x20xf32>, i64, i32, index) -> tensor<?x20xf32>
  %1 = nn.dense %0, %w, %b {activation = #nn.activation<relu>} : (tensor<?x20xf32>, tensor<20x5xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %1 : tensor<?x5xf32>
}

// -----

// The prefetched rows with 16-bit weights and two panels (128 bits: 8
// units, then 4). The list holds 25 units and 8 end marks: 48 entries. In
// the full panels' loop a row starts at p·8·25 + 8·unit halves and a k step
// loads 16 bytes; in the last panel at 200 + 4·unit and 8 bytes. Rows of
// 16 or 8 bytes never start in one line and end in another with an
// aligned array, but the strides are not whole lines, so the last byte is
// prefetched too.
// CHECK-LABEL: func.func private @__kiln_mc_dense_25x12_
// CHECK: memref.alloc() : memref<48xi32>
// CHECK: %[[OFF:.*]] = arith.muli %{{.*}}, %c200{{.*}} : index
// CHECK: scf.while
// CHECK: ^bb0(
// CHECK: %[[U:.*]] = arith.index_castui %{{.*}} : i32 to index
// CHECK: %[[R:.*]] = arith.muli %[[U]], %c8{{.*}} : index
// CHECK: %[[E:.*]] = arith.addi %[[OFF]], %[[R]] : index
// CHECK: %[[E64:.*]] = arith.index_castui %[[E]] : index to i64
// CHECK: %[[ROW:.*]] = llvm.getelementptr %{{.*}}[%[[E64]]] : (!llvm.ptr, i64) -> !llvm.ptr, f16
// CHECK: call @llvm.prefetch.p0(%[[ROW]],
// CHECK: llvm.getelementptr %[[ROW]][15] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK: call @llvm.prefetch.p0(
// CHECK-NOT: call @llvm.prefetch.p0
// CHECK: vector.fma
// The last panel's loops come after the full panels' (4-row and 1-row
// tiles).
// CHECK: %[[E2:.*]] = arith.addi %c200{{(_[0-9]+)?}}, %{{.*}} : index
// CHECK: %[[E264:.*]] = arith.index_castui %[[E2]] : index to i64
// CHECK: %[[ROW2:.*]] = llvm.getelementptr %{{.*}}[%[[E264]]] : (!llvm.ptr, i64) -> !llvm.ptr, f16
// CHECK: call @llvm.prefetch.p0(%[[ROW2]],
// CHECK: llvm.getelementptr %[[ROW2]][7] : (!llvm.ptr) -> !llvm.ptr, i8
// CHECK: call @llvm.prefetch.p0(
// CHECK-NOT: call @llvm.prefetch.p0
// CHECK: vector.fma
func.func @mc_dense_f16(%x: tensor<?x25xf32>, %seed: i64, %s: i32, %n: index) -> tensor<?x12xf32> {
  %w = arith.constant dense<0.5> : tensor<25x12xf16>
  %0 = nn.mc_dropout_stack %x, %seed, %s, %n {rate = 0.2 : f32, stream = 3 : ui32} : (tensor<?x25xf32>, i64, i32, index) -> tensor<?x25xf32>
  %1 = nn.dense %0, %w : (tensor<?x25xf32>, tensor<25x12xf16>) -> tensor<?x12xf32>
  return %1 : tensor<?x12xf32>
}

// -----

// Alpha dropout maps a dropped unit to a·α' + c: the kernel subtracts
// (x_k − α') per dropped unit, α' = −λα = −1.75809932, and scales by
// a = ((1 − 0.1)(1 + 0.1·α'^2))^-1/2 = 0.921284496; the bias it adds is
// b + c·Σ_k W_k, c = −a·α'·0.1: 0.25 + 0.16197097·20·0.5 = 1.86970973 for
// the 5 units, then zeros to the vector (a constant of its own).
// CHECK-LABEL: func.func @mc_dense_alpha(
// CHECK: call @__kiln_dense_f64_20x5_
// CHECK: %[[BIAS:.*]] = arith.constant dense<[1.86970973, 1.86970973, 1.86970973, 1.86970973, 1.86970973, 0.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<8xf32>
// CHECK: call @[[MC:__kiln_mc_dense_20x5_[0-9a-fx]+]](%arg0, %{{.*}}, %{{.*}}, %[[BIAS]],
// CHECK: func.func private @[[MC]](
// CHECK: scf.while
// CHECK: %[[X:.*]] = tensor.extract
// CHECK: %[[X0:.*]] = arith.constant -1.75809932 : f32
// CHECK: arith.subf %[[X]], %[[X0]] : f32
// CHECK: vector.fma
// CHECK: %[[A:.*]] = arith.constant dense<0.921284496> : vector<4xf32>
// CHECK: arith.mulf %{{.*}}, %[[A]] : vector<4xf32>
func.func @mc_dense_alpha(%x: tensor<?x20xf32>, %seed: i64, %s: i32, %n: index) -> tensor<?x5xf32> {
  %w = arith.constant dense<0.5> : tensor<20x5xf32>
  %b = arith.constant dense<0.25> : tensor<5xf32>
  %0 = nn.mc_dropout_stack %x, %seed, %s, %n {kind = #nn.dropout_kind<alpha>, rate = 0.1 : f32, stream = 3 : ui32} : (tensor<?x20xf32>, i64, i32, index) -> tensor<?x20xf32>
  %1 = nn.dense %0, %w, %b : (tensor<?x20xf32>, tensor<20x5xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %1 : tensor<?x5xf32>
}

// -----

// Above rate 0.5 the correction would save less than half the
// multiply-adds: the stacked samples stay for convert-nn-to-linalg and the
// Dense takes its kernel.
// CHECK-LABEL: func.func @mc_dense_high_rate(
// CHECK: nn.mc_dropout_stack
// CHECK: call @__kiln_dense_20x5_
// CHECK-NOT: __kiln_mc_dense
// CHECK-NOT: __kiln_dense_f64
func.func @mc_dense_high_rate(%x: tensor<?x20xf32>, %seed: i64, %s: i32, %n: index) -> tensor<?x5xf32> {
  %w = arith.constant dense<0.5> : tensor<20x5xf32>
  %0 = nn.mc_dropout_stack %x, %seed, %s, %n {rate = 0.6 : f32, stream = 3 : ui32} : (tensor<?x20xf32>, i64, i32, index) -> tensor<?x20xf32>
  %1 = nn.dense %0, %w : (tensor<?x20xf32>, tensor<20x5xf32>) -> tensor<?x5xf32>
  return %1 : tensor<?x5xf32>
}

// -----

// A Dense whose input may be mostly zeros, the model's input (an argument)
// or a ReLU's output (fused into the Dense before it, or an nn.activation),
// counts a lone row's nonzero inputs (NaN included: une) when there is
// one; when at most 3/4 of the 64 are (4·count ≤ 192), it lists them and
// that row's k loop runs over the list, and otherwise over all inputs. The
// row tiles keep the counted loop. One reading another activation's output
// (leaky_relu, even with slope 0) takes the plain kernel, and so does one
// with fewer than 64 inputs.
// CHECK-LABEL: func.func @relu_input(
// CHECK: %[[A:.*]] = call @[[SPARSE:__kiln_dense_64x64_[0-9a-fx]+]](%arg0,
// CHECK: call @[[SPARSE]](%[[A]],
// CHECK: call @[[DENSE:__kiln_dense_64x64_[0-9a-fx]+]](
// CHECK: call @[[SPARSE]](
// CHECK: call @__kiln_dense_64x20_
// CHECK: call @[[SMALL:__kiln_dense_20x20_[0-9a-fx]+]](
// CHECK: func.func private @[[SPARSE]](
// CHECK-SAME: sparse
// CHECK: %[[LIST:.*]] = memref.alloc() : memref<80xi32>
// CHECK: %[[COUNT:.*]] = scf.if %{{.*}} -> (index) {
// CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: math.ctpop
// CHECK-NOT: memref.store
// CHECK: %[[C4:.*]] = arith.muli %[[COUNT]], %c4
// CHECK: %[[USE:.*]] = arith.cmpi ule, %[[C4]], %c192
// CHECK: scf.if %[[USE]] {
// CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: memref.store %{{.*}}, %[[LIST]]
// CHECK: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>) {
// CHECK: scf.if %[[USE]] -> (vector<4xf32>, vector<4xf32>) {
// CHECK: scf.while {{.*}} -> (index, index, vector<4xf32>, vector<4xf32>) {
// CHECK: memref.load %[[LIST]]
// CHECK: } else {
// CHECK: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>) {
// CHECK: func.func private @[[DENSE]](
// CHECK-NOT: sparse
// CHECK-NOT: arith.cmpf une
// CHECK: func.func private @__kiln_dense_64x20_{{.*}}sparse
// CHECK: func.func private @[[SMALL]](
// CHECK-NOT: sparse
// CHECK-NOT: arith.cmpf une
// AVX512-LABEL: func.func private @__kiln_dense_64x64_{{.*}}sparse
// AVX512: arith.cmpf une, %{{.*}}, %{{.*}} : vector<16xf32>
// AVX512: vector.compressstore %{{.*}}[%{{.*}}], %{{.*}}, %{{.*}} : memref<80xi32>, vector<16xi1>, vector<16xi32>
// AVX512: scf.while {{.*}} -> (index, index, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
func.func @relu_input(%x: tensor<?x64xf32>) -> tensor<?x20xf32> {
  %w = arith.constant dense<1.0> : tensor<64x64xf32>
  %a = nn.dense %x, %w {activation = #nn.activation<relu>} : (tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x64xf32>
  %b = nn.dense %a, %w {activation = #nn.activation<relu>} : (tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x64xf32>
  %c = nn.activation %b {activation = #nn.activation<leaky_relu, alpha = 0.0>} : tensor<?x64xf32>
  %d = nn.dense %c, %w {activation = #nn.activation<relu>} : (tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x64xf32>
  %e = nn.activation %d {activation = #nn.activation<relu>} : tensor<?x64xf32>
  %f = nn.dense %e, %w {activation = #nn.activation<relu>} : (tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x64xf32>
  %w2 = arith.constant dense<1.0> : tensor<64x20xf32>
  %g = nn.dense %f, %w2 {activation = #nn.activation<relu>} : (tensor<?x64xf32>, tensor<64x20xf32>) -> tensor<?x20xf32>
  %w3 = arith.constant dense<1.0> : tensor<20x20xf32>
  %h = nn.dense %g, %w3 {activation = #nn.activation<relu>} : (tensor<?x20xf32>, tensor<20x20xf32>) -> tensor<?x20xf32>
  return %h : tensor<?x20xf32>
}

// -----

// A Monte-Carlo correction over an input that may be mostly zeros (here the
// model's), 64 units or more, standard dropout (x₀ = 0): with one row, the
// row's nonzero inputs, 16 bits per 16 units, are found once per call
// (all ones for more rows; zeros past K in the last group of 128), and
// each sample's dropped units are masked with them. Alpha dropout
// (x₀ ≠ 0) keeps every dropped unit.
// CHECK-LABEL: func.func @mc_dense_sparse(
// CHECK: call @[[SPARSE:__kiln_mc_dense_64x5_[0-9a-fx]+]](
// CHECK-LABEL: func.func @mc_dense_sparse_alpha(
// CHECK: call @[[ALPHA:__kiln_mc_dense_64x5_[0-9a-fx]+]](
// CHECK: func.func private @[[SPARSE]](
// CHECK-SAME: sparse
// CHECK: %[[KEEP:.*]] = memref.alloc() : memref<8xi16>
// CHECK: %[[ONE:.*]] = arith.cmpi eq, %{{.*}}, %c1 : index
// CHECK: scf.if %[[ONE]] {
// CHECK: arith.cmpf une
// CHECK: memref.store %{{.*}}, %[[KEEP]][%{{.*}}] : memref<8xi16>
// CHECK: memref.store %c0_i16, %[[KEEP]][%c4] : memref<8xi16>
// CHECK: memref.store %c0_i16, %[[KEEP]][%c7] : memref<8xi16>
// CHECK: } else {
// CHECK: memref.store %c-1_i16, %[[KEEP]]
// CHECK: call @__kiln_philox_u16_
// CHECK: %[[WORD:.*]] = memref.load %[[KEEP]]
// CHECK: %[[V:.*]] = vector.broadcast %[[WORD]] : i16 to vector<1xi16>
// CHECK: %[[M:.*]] = vector.bitcast %[[V]] : vector<1xi16> to vector<16xi1>
// CHECK: arith.andi %{{.*}}, %[[M]] : vector<16xi1>
// CHECK: func.func private @[[ALPHA]](
// CHECK-NOT: sparse
// CHECK-NOT: memref<8xi16>
// CHECK: call @__kiln_philox_u16_
// CHECK-NOT: memref<8xi16>
func.func @mc_dense_sparse(%x: tensor<?x64xf32>, %seed: i64, %s: i32, %n: index) -> tensor<?x5xf32> {
  %w = arith.constant dense<0.5> : tensor<64x5xf32>
  %0 = nn.mc_dropout_stack %x, %seed, %s, %n {rate = 0.2 : f32, stream = 3 : ui32} : (tensor<?x64xf32>, i64, i32, index) -> tensor<?x64xf32>
  %1 = nn.dense %0, %w : (tensor<?x64xf32>, tensor<64x5xf32>) -> tensor<?x5xf32>
  return %1 : tensor<?x5xf32>
}
func.func @mc_dense_sparse_alpha(%x: tensor<?x64xf32>, %seed: i64, %s: i32, %n: index) -> tensor<?x5xf32> {
  %w = arith.constant dense<0.5> : tensor<64x5xf32>
  %0 = nn.mc_dropout_stack %x, %seed, %s, %n {kind = #nn.dropout_kind<alpha>, rate = 0.1 : f32, stream = 4 : ui32} : (tensor<?x64xf32>, i64, i32, index) -> tensor<?x64xf32>
  %1 = nn.dense %0, %w : (tensor<?x64xf32>, tensor<64x5xf32>) -> tensor<?x5xf32>
  return %1 : tensor<?x5xf32>
}
