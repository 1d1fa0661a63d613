// RUN: kiln-opt %s -split-input-file --convert-nn-to-linalg | FileCheck %s
// RUN: kiln-opt %s -split-input-file --convert-nn-to-linalg --canonicalize | FileCheck %s --check-prefix=CANON

// Dense: zero fill + a contraction whose loops run (i, k, j), so the
// innermost loop is contiguous over the [in][out] weights and the output;
// then one epilogue generic (bias + activation).
// CHECK-DAG: #[[XMAP:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[WMAP:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[YMAP:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func @dense_relu
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<4x2xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x4xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x2xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x2xf32>)
// CHECK: %[[M:.*]] = linalg.generic {indexing_maps = [#[[XMAP]], #[[WMAP]], #[[YMAP]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[X]], %[[W]] : tensor<?x4xf32>, tensor<4x2xf32>) outs(%[[F]] : tensor<?x2xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[M]], %[[B]] : tensor<?x2xf32>, tensor<2xf32>)
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK-NOT: nn.
func.func @dense_relu(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>, %b: tensor<2xf32>) -> tensor<?x2xf32> {
  %0 = nn.dense %x, %w, %b {activation = #nn.activation<relu>} : (tensor<?x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// A linear Dense without bias needs no epilogue: one generic only.
// CHECK-LABEL: func @dense_linear
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-NOT: linalg.generic
func.func @dense_linear(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>) -> tensor<?x2xf32> {
  %0 = nn.dense %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// 16-bit weights (nn-quantize) widen to f32 inside the product.
// CHECK-LABEL: func @dense_f16_weights
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<4x2xf16>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[W:.*]]: f16, %[[Y:.*]]: f32):
// CHECK: %[[W32:.*]] = arith.extf %[[W]] : f16 to f32
// CHECK: arith.mulf %[[X]], %[[W32]] : f32
func.func @dense_f16_weights(%x: tensor<?x4xf32>, %w: tensor<4x2xf16>) -> tensor<?x2xf32> {
  %0 = nn.dense %x, %w : (tensor<?x4xf32>, tensor<4x2xf16>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// Softmax, row by row, written in place: max-reduce, exp(x - max),
// sum-reduce, divide. Up to 64 classes a row is one vector.
// CHECK-LABEL: func @softmax
// CHECK: scf.for %[[R:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[Y:.*]] = %arg0)
// CHECK: %[[V:.*]] = vector.transfer_read %[[Y]][%[[R]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<?x4xf32>, vector<4xf32>
// CHECK: %[[MAX:.*]] = vector.reduction <maximumf>, %[[V]]
// CHECK: arith.subf %[[V]], %{{.*}} : vector<4xf32>
// CHECK: math.exp %{{.*}} : vector<4xf32>
// CHECK: vector.reduction <add>
// CHECK: arith.divf
// CHECK: vector.transfer_write %{{.*}}, %[[Y]][%[[R]], %{{.*}}] {in_bounds = [true]}
func.func @softmax(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.activation %x {activation = #nn.activation<softmax>} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Wider rows: generics on a [1, classes] slice of each row.
// CHECK-LABEL: func @softmax_wide
// CHECK: scf.for
// CHECK: tensor.extract_slice %{{.*}}[%{{.*}}, 0] [1, 100] [1, 1] : tensor<?x100xf32> to tensor<1x100xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: linalg.generic
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: tensor.insert_slice
func.func @softmax_wide(%x: tensor<?x100xf32>) -> tensor<?x100xf32> {
  %0 = nn.activation %x {activation = #nn.activation<softmax>} : tensor<?x100xf32>
  return %0 : tensor<?x100xf32>
}

// -----

// CHECK-LABEL: func @flatten
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : tensor<?x28x28xf32> into tensor<?x784xf32>
func.func @flatten(%x: tensor<?x28x28xf32>) -> tensor<?x784xf32> {
  %0 = nn.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  return %0 : tensor<?x784xf32>
}

// -----

// GELU in its exact erf form; ELU through expm1 (a Taylor polynomial near
// 0, exp − 1 elsewhere; see elu-accuracy.mlir).
// CHECK-LABEL: func @gelu_elu
// CHECK: math.erf
// CHECK: math.fma
// CHECK: math.exp
// CHECK: math.absf
// CHECK: arith.select
func.func @gelu_elu(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.activation %x {activation = #nn.activation<gelu>} : tensor<?x4xf32>
  %1 = nn.activation %0 {activation = #nn.activation<elu, alpha = 1.0>} : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}

// -----

// nn.mc_dropout: sample by sample (count = rows / rows per sample), per
// group of 128 units (here one, of 8 units): Philox4x32-10 on 16 blocks in
// the lanes of vector<16xi32> (ten rounds of two 32×32→64 multiplies, each
// as two i64 multiplies on lane pairs viewed as vector<8xi64>), the
// low half of word 0 is units 0..15, kept iff bits >= ceil(0.2·2^16) =
// 13108, a factor 1/(1 − 0.2) or 0 per lane, then every row of the sample
// multiplied by it in place: one read and write per row, masked since the
// 8 units do not fill the vector. No buffer: no tensor.empty, no generic.
// CHECK-LABEL: func @mc_dropout
// CHECK-NOT: nn.mc_dropout
// CHECK: call @[[FN:__kiln_mc_dropout_3_[0-9a-fx]+]]
// CHECK: func.func private @[[FN]](%{{.*}}: tensor<?x8xf32> {bufferization.writable = true}{{.*}} attributes {passthrough = ["noinline"]}
// CHECK: %[[COUNT:.*]] = arith.divui %{{.*}}, %arg3
// CHECK: scf.for %[[S:.*]] = %{{.*}} to %[[COUNT]] step {{.*}} iter_args(%[[X:.*]] = %arg0)
// CHECK: %[[FIRST:.*]] = arith.muli %[[S]], %arg3
// CHECK: %[[END:.*]] = arith.addi %[[FIRST]], %arg3
// CHECK: arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]> : vector<16xi32>
// CHECK: vector.bitcast %{{.*}} : vector<16xi32> to vector<8xi64>
// CHECK-COUNT-40: arith.muli {{.*}} : vector<8xi64>
// CHECK: %[[LOW:.*]] = arith.andi %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK: %[[T:.*]] = arith.constant dense<13108> : vector<16xi32>
// CHECK: %[[KEEP:.*]] = arith.cmpi uge, %[[LOW]], %[[T]] : vector<16xi32>
// CHECK: %[[SCALE:.*]] = arith.select %[[KEEP]], %{{.*}}, %{{.*}} : vector<16xi1>, vector<16xf32>
// CHECK: scf.for %[[R:.*]] = %[[FIRST]] to %[[END]] step
// CHECK: %[[V:.*]] = vector.transfer_read %{{.*}}[%[[R]], %{{.*}}], %{{[a-z0-9_]+}} : tensor<?x8xf32>, vector<16xf32>
// CHECK: %[[Y:.*]] = arith.mulf %[[V]], %[[SCALE]] : vector<16xf32>
// CHECK: vector.transfer_write %[[Y]], %{{.*}}[%[[R]], %{{[a-z0-9_]+}}] : vector<16xf32>, tensor<?x8xf32>
// CHECK-NOT: vector.transfer_read
// CHECK-NOT: tensor.empty
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @mc_dropout(%x: tensor<?x8xf32>, %seed: i64, %s: i32, %rows: index) -> tensor<?x8xf32> {
  %0 = nn.mc_dropout %x, %seed, %s, %rows {rate = 0.2 : f32, stream = 3 : ui32} : tensor<?x8xf32>, i64, i32
  return %0 : tensor<?x8xf32>
}

// -----

// 300 units: two whole groups of 128 in a loop (blocks 16·g + lane, eight
// in-bounds vectors at 128·g + 16·d), then the last 44 units: blocks 32..47,
// vectors at 256 and 272 in bounds and at 288 masked (12 of 16 lanes).
// CANON-LABEL: func.func private @__kiln_mc_dropout_2_
// CANON-DAG: %[[TAIL:.*]] = arith.constant dense<[32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47]> : vector<16xi32>
// CANON-DAG: %[[IOTA:.*]] = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]> : vector<16xi32>
// CANON-DAG: %[[HALF:.*]] = arith.constant dense<32768> : vector<16xi32>
// CANON: scf.for %[[G:.*]] = %c0 to %c2 step %c1
// CANON: %[[B0:.*]] = arith.muli %[[G]], %c16 : index
// CANON: %[[B1:.*]] = arith.index_castui %[[B0]] : index to i32
// CANON: %[[B2:.*]] = vector.broadcast %[[B1]] : i32 to vector<16xi32>
// CANON: arith.addi %[[B2]], %[[IOTA]] : vector<16xi32>
// CANON-COUNT-8: arith.cmpi uge, %{{.*}}, %[[HALF]] : vector<16xi32>
// CANON: scf.for
// CANON: %[[C0:.*]] = arith.muli %[[G]], %c128 : index
// CANON-COUNT-8: vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<?x300xf32>, vector<16xf32>
// CANON: scf.yield
// CANON: scf.yield
// CANON: vector.bitcast %[[TAIL]] : vector<16xi32> to vector<8xi64>
// CANON-NOT: scf.yield
// CANON: vector.transfer_read %{{.*}}[%{{.*}}, %c256], %{{[a-z0-9_]+}} {in_bounds = [true]}
// CANON: vector.transfer_read %{{.*}}[%{{.*}}, %c272], %{{[a-z0-9_]+}} {in_bounds = [true]}
// CANON: vector.transfer_read %{{.*}}[%{{.*}}, %c288], %{{[a-z0-9_]+}} : tensor<?x300xf32>
// CANON: vector.transfer_write %{{.*}}, %{{.*}}[%{{.*}}, %c288] : vector<16xf32>
func.func @mc_dropout_300(%x: tensor<?x300xf32>, %seed: i64, %s: i32, %rows: index) -> tensor<?x300xf32> {
  %0 = nn.mc_dropout %x, %seed, %s, %rows {rate = 0.5 : f32, stream = 2 : ui32} : tensor<?x300xf32>, i64, i32
  return %0 : tensor<?x300xf32>
}
