// RUN: kiln-opt %s --split-input-file --nn-monte-carlo --verify-diagnostics | FileCheck %s
// No nn.dropout is left in the Monte-Carlo function (the NOTs cover its
// whole body around its one nn.mc_dropout_stack: the layers after the
// first dropout are built once, for a step of any length).
// RUN: kiln-opt %s --split-input-file --nn-monte-carlo --verify-diagnostics | FileCheck %s --check-prefix=NODROP
// NODROP-LABEL: func.func @net_mc_samples(
// NODROP-NOT: nn.dropout
// NODROP: nn.mc_dropout_stack
// NODROP-NOT: nn.{{(mc_)?}}dropout
// NODROP-LABEL: func.func @two(

// @net stays as it is; @net_mc_samples(x, seed, first, count, dest) -> dest:
// the layers before the first dropout once, then steps of ⌈24/B⌉ samples
// for a batch of B rows (at least 24 rows a step), the last one shorter:
// each step of n = min(⌈24/B⌉, count − start) samples stacks them along
// the batch at the first dropout (nn.mc_dropout_stack of the shared rows:
// n samples from sample first + start, the layer's stream), runs the later
// layers, then copies each sample's rows into its columns of dest.
// CHECK-LABEL: func.func @net(
// CHECK: nn.dropout
// CHECK: func.func @net_mc_samples(%[[X:.*]]: tensor<?x3xf32>, %[[SEED:.*]]: i64, %[[FIRST:.*]]: i32, %[[N:.*]]: i32, %[[DEST:.*]]: tensor<?x?xf32> {bufferization.writable = true}) -> tensor<?x?xf32>
// CHECK: %[[COUNT:.*]] = arith.index_castui %[[N]] : i32 to index
// CHECK: %[[B:.*]] = tensor.dim %[[X]]
// CHECK: %[[PLUS:.*]] = arith.addi %[[B]], %c23
// CHECK: %[[STEP:.*]] = arith.divui %[[PLUS]], %[[B]]
// The Dense before the dropout: once, outside the steps.
// CHECK: %[[H:.*]] = nn.dense %[[X]]
// CHECK: %[[LOOP:.*]] = scf.for %[[START:.*]] = %{{.*}} to %[[COUNT]] step %[[STEP]] iter_args(%[[ACC:.*]] = %[[DEST]])
// CHECK: %[[LEFT:.*]] = arith.subi %[[COUNT]], %[[START]]
// CHECK: %[[NS:.*]] = arith.minui %[[STEP]], %[[LEFT]]
// CHECK: %[[I:.*]] = arith.index_castui %[[START]] : index to i32
// CHECK: %[[S0:.*]] = arith.addi %[[FIRST]], %[[I]] : i32
// CHECK-NOT: nn.dense %[[X]]
// CHECK: %[[STACK:.*]] = nn.mc_dropout_stack %[[H]], %[[SEED]], %[[S0]], %[[NS]] {rate = 5.000000e-01 : f32, stream = 2 : ui32} : (tensor<?x4xf32>, i64, i32, index) -> tensor<?x4xf32>
// CHECK: %[[Y:.*]] = nn.dense %[[STACK]]
// Sample start + j's rows [j·B, (j+1)·B) of Y into columns
// [(start + j)·2, (start + j + 1)·2) of dest.
// CHECK: scf.for %[[J2:.*]] = %{{.*}} to %[[NS]] step %{{.*}} iter_args(%[[D:.*]] = %[[ACC]])
// CHECK: %[[ROW:.*]] = arith.muli %[[J2]], %[[B]]
// CHECK: %[[ROWS:.*]] = tensor.extract_slice %[[Y]][%[[ROW]], 0] [%[[B]], 2]
// CHECK: %[[S:.*]] = arith.addi %[[START]], %[[J2]]
// CHECK: %[[COL:.*]] = arith.muli %[[S]], %c2
// CHECK: %[[SLOT:.*]] = tensor.extract_slice %[[D]][0, %[[COL]]] [%[[B]], 2]
// CHECK: %[[COPY:.*]] = linalg.copy ins(%[[ROWS]] : tensor<?x2xf32>) outs(%[[SLOT]] : tensor<?x2xf32>)
// CHECK: tensor.insert_slice %[[COPY]] into %[[D]][0, %[[COL]]] [%[[B]], 2]
// CHECK-NOT: scf.if
// CHECK: return %[[LOOP]]

func.func @net(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<1.0> : tensor<3x4xf32>
  %w2 = arith.constant dense<0.5> : tensor<4x2xf32>
  %0 = nn.dense %x, %w {activation = #nn.activation<relu>} : (tensor<?x3xf32>, tensor<3x4xf32>) -> tensor<?x4xf32>
  %1 = nn.dropout %0 {rate = 0.5 : f32, stream = 2 : ui32} : tensor<?x4xf32>
  %2 = nn.dense %1, %w2 : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return %2 : tensor<?x2xf32>
}

// -----

// A later dropout's input differs per sample: nn.mc_dropout over the
// stacked rows, B rows per sample, from the same first sample.
// CHECK-LABEL: func.func @two_mc_samples(
// CHECK: %[[B:.*]] = tensor.dim %arg0, %c0
// CHECK: scf.for
// CHECK: %[[S0:.*]] = arith.addi %arg2
// CHECK: %[[STACK:.*]] = nn.mc_dropout_stack %arg0, %arg1, %[[S0]], %{{.*}} {rate = 2.500000e-01 : f32, stream = 1 : ui32}
// CHECK: %[[H:.*]] = nn.dense %[[STACK]]
// CHECK: nn.mc_dropout %[[H]], %arg1, %[[S0]], %[[B]] {rate = 5.000000e-01 : f32, stream = 3 : ui32} : tensor<?x4xf32>, i64, i32
func.func @two(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<1.0> : tensor<3x4xf32>
  %w2 = arith.constant dense<0.5> : tensor<4x2xf32>
  %0 = nn.dropout %x {rate = 0.25 : f32, stream = 1 : ui32} : tensor<?x3xf32>
  %1 = nn.dense %0, %w : (tensor<?x3xf32>, tensor<3x4xf32>) -> tensor<?x4xf32>
  %2 = nn.dropout %1 {rate = 0.5 : f32, stream = 3 : ui32} : tensor<?x4xf32>
  %3 = nn.dense %2, %w2 : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return %3 : tensor<?x2xf32>
}

// -----

// No dropout, no Monte-Carlo function.
// CHECK-LABEL: func.func @plain(
// CHECK-NOT: func.func @plain_mc_samples
func.func @plain(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %w = arith.constant dense<1.0> : tensor<3x3xf32>
  %0 = nn.dense %x, %w : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// An output of more than one dimension per example: each sample's rows are
// flattened to [B, 6] before the copy into dest.
// CHECK-LABEL: func.func @image_mc_samples(
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<?x2x3xf32> into tensor<?x6xf32>
// CHECK: arith.muli %{{.*}}, %c6
func.func @image(%x: tensor<?x2x3xf32>) -> tensor<?x2x3xf32> {
  %0 = nn.dropout %x {rate = 0.25 : f32, stream = 0 : ui32} : tensor<?x2x3xf32>
  return %0 : tensor<?x2x3xf32>
}

// -----

// A result whose per-example shape is not static has no Monte-Carlo form.
// expected-error @+1 {{nn-monte-carlo needs a [batch, static...] result, not 'tensor<?x?xf32>'}}
func.func @dynamic(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = nn.dropout %x {rate = 0.25 : f32, stream = 0 : ui32} : tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
