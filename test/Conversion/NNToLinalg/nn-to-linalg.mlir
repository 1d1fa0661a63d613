// RUN: kiln-opt %s -split-input-file --convert-nn-to-linalg | FileCheck %s
// RUN: kiln-opt %s -split-input-file --convert-nn-to-linalg --canonicalize | FileCheck %s --check-prefix=CANON
// RUN: kiln-opt %s -split-input-file --convert-nn-to-linalg | FileCheck %s --check-prefix=NOBUF

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

// GELU in its exact erf form; ELU through expm1 (x = k·ln2 + r, k rounded
// by adding 1.5·2^23, 2^k from k's bits, a polynomial in r; see
// elu-accuracy.mlir).
// CHECK-LABEL: func @gelu_elu
// CHECK: math.erf
// CHECK: %[[SHIFTER:.*]] = arith.constant 0x4B400000 : f32
// CHECK: math.fma %{{.*}}, %{{.*}}, %[[SHIFTER]] : f32
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.shli
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK: arith.select
func.func @gelu_elu(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.activation %x {activation = #nn.activation<gelu>} : tensor<?x4xf32>
  %1 = nn.activation %0 {activation = #nn.activation<elu, alpha = 1.0>} : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}

// -----

// nn.mc_dropout: a call of one function per rate and kind, the features
// flattened and cast to [?, ?] and the layer's stream (3) an argument. In
// it, sample by sample (count = rows / rows per sample) and group by group
// of 128 units (⌈units/128⌉): a call of the module's one Philox function,
// Philox4x32-10 on 16 blocks 16·g + lane in the lanes of vector<16xi32>
// (counter word 3 = stream | 2^31; ten rounds of two 32×32→64 multiplies,
// each as two i64 multiplies on lane pairs viewed as vector<8xi64>);
// half d % 2 of word d / 2 is units 128·g + 16·d
// .. + 15, kept iff bits >= ceil(0.2·2^16) = 13108, a factor 1/(1 − 0.2)
// or 0 per lane; then every row of the sample multiplied by it in place,
// eight vectors per row: plain in-bounds accesses in a whole group,
// accesses masked to the units that exist in the last one. No buffer.
// CHECK-LABEL: func @mc_dropout
// CHECK-NOT: nn.mc_dropout
// CHECK: %[[ANY:.*]] = tensor.cast %{{.*}} : tensor<?x8xf32> to tensor<?x?xf32>
// CHECK: %[[STREAM:.*]] = arith.constant 3 : i32
// CHECK: %[[R:.*]] = call @[[FN:__kiln_mc_dropout_[0-9a-fx]+]](%[[ANY]], %{{.*}}, %{{.*}}, %{{.*}}, %[[STREAM]])
// CHECK: tensor.cast %[[R]] : tensor<?x?xf32> to tensor<?x8xf32>
// CHECK: func.func private @[[PHILOX:__kiln_philox_u16_[0-9a-fx]+]](%{{.*}}: i64, %{{.*}}: i32, %{{.*}}: i32, %[[PG:.*]]: index) -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>) attributes {passthrough = ["noinline"]}
// CHECK: %[[B0:.*]] = arith.muli %[[PG]], %c16{{.*}} : index
// CHECK: arith.index_castui %[[B0]] : index to i32
// CHECK: arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]> : vector<16xi32>
// CHECK: arith.ori %arg1, %{{.*}} : i32
// CHECK: vector.bitcast %{{.*}} : vector<16xi32> to vector<8xi64>
// CHECK-COUNT-40: arith.muli {{.*}} : vector<8xi64>
// CHECK: return
// CHECK: func.func private @[[FN]](%{{.*}}: tensor<?x?xf32> {bufferization.writable = true}, %{{.*}}: i64, %{{.*}}: i32, %{{.*}}: index, %{{.*}}: i32){{.*}} attributes {passthrough = ["noinline"]}
// CHECK: %[[ROWS:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[UNITS:.*]] = tensor.dim %arg0, %c1
// CHECK: %[[COUNT:.*]] = arith.divui %[[ROWS]], %arg3
// CHECK: %[[UP:.*]] = arith.addi %[[UNITS]], %c127
// CHECK: %[[GROUPS:.*]] = arith.divui %[[UP]], %c128
// CHECK: scf.for %[[S:.*]] = %{{.*}} to %[[COUNT]] step
// CHECK: %[[FIRST:.*]] = arith.muli %[[S]], %arg3
// CHECK: %[[END:.*]] = arith.addi %[[FIRST]], %arg3
// CHECK: scf.for %[[G:.*]] = %{{.*}} to %[[GROUPS]] step
// CHECK: call @[[PHILOX]](%arg1, %arg4, %{{.*}}, %[[G]])
// CHECK: %[[LOW:.*]] = arith.andi %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK: %[[T:.*]] = arith.constant dense<13108> : vector<16xi32>
// CHECK: %[[KEEP:.*]] = arith.cmpi uge, %[[LOW]], %[[T]] : vector<16xi32>
// CHECK-COUNT-7: arith.cmpi uge
// CHECK: %[[SCALE:.*]] = arith.select %[[KEEP]], %{{.*}}, %{{.*}} : vector<16xi1>, vector<16xf32>
// CHECK: %[[G0:.*]] = arith.muli %[[G]], %c128{{.*}} : index
// CHECK: %[[C0:.*]] = arith.addi %[[G0]], %{{.*}} : index
// CHECK: %[[NEXT:.*]] = arith.addi %[[G0]], %c128{{.*}} : index
// CHECK: %[[WHOLE:.*]] = arith.cmpi ule, %[[NEXT]], %[[UNITS]] : index
// CHECK: scf.if %[[WHOLE]]
// CHECK: scf.for %[[R1:.*]] = %[[FIRST]] to %[[END]] step
// CHECK: %[[V:.*]] = vector.transfer_read %{{.*}}[%[[R1]], %[[C0]]], %{{[a-z0-9_]+}} {in_bounds = [true]} : tensor<?x?xf32>, vector<16xf32>
// CHECK: %[[Y:.*]] = arith.mulf %[[V]], %[[SCALE]] : vector<16xf32>
// CHECK: vector.transfer_write %[[Y]], %{{.*}}[%[[R1]], %[[C0]]] {in_bounds = [true]}
// CHECK-COUNT-7: vector.transfer_write
// CHECK: } else {
// CHECK: %[[HI:.*]] = arith.maxui %[[UNITS]], %[[C0]] : index
// CHECK: %[[LEFT:.*]] = arith.subi %[[HI]], %[[C0]] : index
// CHECK: %[[M0:.*]] = vector.create_mask %[[LEFT]] : vector<16xi1>
// CHECK-COUNT-7: vector.create_mask
// CHECK: scf.for %[[R2:.*]] = %[[FIRST]] to %[[END]] step
// CHECK: %[[MV:.*]] = vector.transfer_read %{{.*}}[%[[R2]], %[[C0]]], %{{[a-z0-9_]+}}, %[[M0]] {in_bounds = [true]}
// CHECK: %[[MY:.*]] = arith.mulf %[[MV]], %[[SCALE]] : vector<16xf32>
// CHECK: vector.transfer_write %[[MY]], %{{.*}}[%[[R2]], %[[C0]]], %[[M0]] {in_bounds = [true]}
// CHECK: return
// No buffer anywhere in the dropout function: masks live in registers.
// NOBUF-LABEL: func.func private @__kiln_mc_dropout
// NOBUF-NOT: tensor.empty
// NOBUF-NOT: linalg.generic
// NOBUF: return
func.func @mc_dropout(%x: tensor<?x8xf32>, %seed: i64, %s: i32, %rows: index) -> tensor<?x8xf32> {
  %0 = nn.mc_dropout %x, %seed, %s, %rows {rate = 0.2 : f32, stream = 3 : ui32} : tensor<?x8xf32>, i64, i32
  return %0 : tensor<?x8xf32>
}

// -----

// nn.mc_dropout_stack: `count` copies of the B input rows, copy j in rows
// [j·B, (j+1)·B) of a buffer of count·B rows, then nn.mc_dropout's
// function with B rows per sample.
// CHECK-LABEL: func @mc_dropout_stack
// CHECK-NOT: nn.mc_dropout_stack
// CHECK: %[[B:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[USED:.*]] = arith.muli %arg3, %[[B]]
// CHECK: %[[INIT:.*]] = tensor.empty(%[[USED]]) : tensor<?x8xf32>
// CHECK: %[[STACK:.*]] = scf.for %[[J:.*]] = %c0{{.*}} to %arg3 step %c1{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]])
// CHECK: %[[AT:.*]] = arith.muli %[[J]], %[[B]]
// CHECK: %[[SLOT:.*]] = tensor.extract_slice %[[ACC]][%[[AT]], 0] [%[[B]], 8] [1, 1]
// CHECK: %[[COPY:.*]] = linalg.copy ins(%arg0 : tensor<?x8xf32>) outs(%[[SLOT]] : tensor<?x8xf32>)
// CHECK: tensor.insert_slice %[[COPY]] into %[[ACC]][%[[AT]], 0] [%[[B]], 8] [1, 1]
// CHECK: %[[ANY:.*]] = tensor.cast %[[STACK]] : tensor<?x8xf32> to tensor<?x?xf32>
// CHECK: call @__kiln_mc_dropout_{{[0-9a-fx]+}}(%[[ANY]], %arg1, %arg2, %[[B]], %{{.*}})
func.func @mc_dropout_stack(%x: tensor<?x8xf32>, %seed: i64, %s: i32, %n: index) -> tensor<?x8xf32> {
  %0 = nn.mc_dropout_stack %x, %seed, %s, %n {rate = 0.2 : f32, stream = 3 : ui32} : (tensor<?x8xf32>, i64, i32, index) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// Dropouts of one rate and kind share the function whatever their width
// and stream; another rate gets its own.
// CANON-LABEL: func.func @mc_dropout_shared
// CANON: call @[[SHARED:__kiln_mc_dropout_[0-9a-fx]+]](%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c2_i32)
// CANON: call @[[SHARED]](%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c5_i32)
// CANON: call @[[OTHER:__kiln_mc_dropout_[0-9a-fx]+]](%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c6_i32)
// CANON-DAG: func.func private @[[SHARED]](
// CANON-DAG: func.func private @[[OTHER]](
func.func @mc_dropout_shared(%x: tensor<?x300xf32>, %seed: i64, %s: i32, %rows: index) -> tensor<?x100xf32> {
  %w = arith.constant dense<0.5> : tensor<300x100xf32>
  %0 = nn.mc_dropout %x, %seed, %s, %rows {rate = 0.2 : f32, stream = 2 : ui32} : tensor<?x300xf32>, i64, i32
  %1 = nn.dense %0, %w : (tensor<?x300xf32>, tensor<300x100xf32>) -> tensor<?x100xf32>
  %2 = nn.mc_dropout %1, %seed, %s, %rows {rate = 0.2 : f32, stream = 5 : ui32} : tensor<?x100xf32>, i64, i32
  %3 = nn.mc_dropout %2, %seed, %s, %rows {rate = 0.3 : f32, stream = 6 : ui32} : tensor<?x100xf32>, i64, i32
  return %3 : tensor<?x100xf32>
}
