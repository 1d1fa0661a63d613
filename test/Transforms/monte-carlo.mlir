// RUN: kiln-opt %s --split-input-file --nn-monte-carlo | FileCheck %s
// No nn.dropout is left in either Monte-Carlo function (the NOTs cover each
// function's whole body around its nn.mc_dropout ops, in its loop of
// whole steps and its last step).
// RUN: kiln-opt %s --split-input-file --nn-monte-carlo | FileCheck %s --check-prefix=NODROP
// NODROP-LABEL: func.func @net_mc_samples(
// NODROP-NOT: nn.dropout
// NODROP: nn.mc_dropout
// NODROP-NOT: nn.dropout
// NODROP-LABEL: func.func @net_mc(
// NODROP-NOT: nn.dropout
// NODROP: nn.mc_dropout
// NODROP-NOT: nn.dropout
// NODROP-LABEL: func.func @plain(

// @net stays as it is; @net_mc(x, seed, samples) -> (mean, stddev): the
// layers before the first dropout once, then, when the batch B is below 16
// rows, steps of 24 samples (else of one) and a last step of the S mod 24
// left: each step stacks its samples along the batch (copies of the B rows
// into a slice of a [24·B, ...] buffer), runs the dropouts as
// nn.mc_dropout (first sample of the step, B rows per sample, the layer's
// stream) and the later layers, then Welford over the step's samples.
// CHECK-LABEL: func.func @net(
// CHECK: nn.dropout
// CHECK: func.func @net_mc(%[[X:.*]]: tensor<?x3xf32>, %[[SEED:.*]]: i64, %[[N:.*]]: i32) -> (tensor<?x2xf32>, tensor<?x2xf32>)
// CHECK: %[[COUNT:.*]] = arith.index_castui %[[N]] : i32 to index
// CHECK: %[[B:.*]] = tensor.dim %[[X]]
// CHECK: %[[SMALL:.*]] = arith.cmpi ult, %[[B]], %c16
// CHECK: %[[STEP:.*]] = arith.select %[[SMALL]], %c24, %c1
// CHECK: %[[Q:.*]] = arith.divui %[[COUNT]], %[[STEP]]
// CHECK: %[[WHOLE:.*]] = arith.muli %[[Q]], %[[STEP]]
// CHECK: %[[LEFT:.*]] = arith.subi %[[COUNT]], %[[WHOLE]]
// CHECK: %[[REST:.*]] = arith.minui %[[LEFT]], %c24
// The Dense before the dropout: once, outside the steps.
// CHECK: %[[H:.*]] = nn.dense %[[X]]
// CHECK: %[[LOOP:.*]]:2 = scf.for %[[START:.*]] = %{{.*}} to %[[WHOLE]] step %[[STEP]] iter_args(%[[MEAN:.*]] = %{{.*}}, %[[M2:.*]] = %{{.*}})
// CHECK: %[[S0:.*]] = arith.index_castui %[[START]] : index to i32
// CHECK-NOT: nn.dense %[[X]]
// CHECK: arith.muli %[[B]], %c24
// CHECK: %[[STACK:.*]] = scf.for %[[J:.*]] = %{{.*}} to %[[STEP]] step
// CHECK: linalg.copy ins(%[[H]] : tensor<?x4xf32>)
// CHECK: tensor.insert_slice
// CHECK: nn.mc_dropout %[[STACK]], %[[SEED]], %[[S0]], %[[B]] {rate = 5.000000e-01 : f32, stream = 2 : ui32}
// CHECK: %[[Y:.*]] = nn.dense
// Welford: n = start + j + 1; d = y − mean; mean += d/n; M2 += d·(y − mean).
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[STEP]] step %c1
// CHECK: tensor.extract_slice %[[Y]]
// CHECK: linalg.generic
// CHECK: arith.subf
// CHECK: arith.divf
// CHECK: arith.addf
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.addf
// The last step: samples [WHOLE, WHOLE + REST), if any, from the loop's
// running mean and M2.
// CHECK: %[[ANY:.*]] = arith.cmpi ne, %[[REST]], %c0
// CHECK: scf.if %[[ANY]]
// CHECK: %[[T0:.*]] = arith.index_castui %[[WHOLE]] : index to i32
// CHECK-NOT: nn.dense %[[X]]
// CHECK: %[[TSTACK:.*]] = scf.for %{{.*}} = %{{.*}} to %[[REST]] step
// CHECK: linalg.copy ins(%[[H]] : tensor<?x4xf32>)
// CHECK: nn.mc_dropout %[[TSTACK]], %[[SEED]], %[[T0]], %[[B]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[REST]] step %c1{{.*}} iter_args(%{{.*}} = %[[LOOP]]#0, %{{.*}} = %[[LOOP]]#1)
// CHECK: } else {
// CHECK: scf.yield %[[LOOP]]#0, %[[LOOP]]#1
// stddev = sqrt(M2 / max(samples, 1))
// CHECK: %[[N1:.*]] = arith.maxui %[[N]], %c1_i32
// CHECK: arith.uitofp %[[N1]] : i32 to f32
// CHECK: math.sqrt
// CHECK: return

func.func @net(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<1.0> : tensor<3x4xf32>
  %w2 = arith.constant dense<0.5> : tensor<4x2xf32>
  %0 = nn.dense %x, %w {activation = #nn.activation<relu>} : (tensor<?x3xf32>, tensor<3x4xf32>) -> tensor<?x4xf32>
  %1 = nn.dropout %0 {rate = 0.5 : f32, stream = 2 : ui32} : tensor<?x4xf32>
  %2 = nn.dense %1, %w2 : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return %2 : tensor<?x2xf32>
}

// -----

// No dropout, no Monte-Carlo function.
// CHECK-LABEL: func.func @plain(
// CHECK-NOT: func.func @plain_mc
func.func @plain(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<1.0> : tensor<3x3xf32>
  %0 = nn.dense %x, %w : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
