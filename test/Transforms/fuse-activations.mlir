// RUN: kiln-opt %s -split-input-file --nn-fuse-activations | FileCheck %s

// CHECK-LABEL: func @fuse_elu
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<4x2xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK: %[[Y:.*]] = nn.dense %[[X]], %[[W]], %[[B]] {activation = #nn.activation<elu, alpha = 1.000000e+00>}
// CHECK-NOT: nn.activation %
// CHECK: return %[[Y]]
func.func @fuse_elu(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>, %b: tensor<2xf32>) -> tensor<?x2xf32> {
  %0 = nn.dense %x, %w, %b : (tensor<?x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %1 = nn.activation %0 {activation = #nn.activation<elu, alpha = 1.0>} : tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// PReLU brings its slopes along.
// CHECK-LABEL: func @fuse_prelu
// CHECK-SAME: %[[S:[^:]*]]: tensor<2xf32>)
// CHECK: nn.dense %{{.*}}, %{{.*}} slope %[[S]] {activation = #nn.activation<prelu>}
// CHECK-NOT: nn.activation %
func.func @fuse_prelu(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>, %s: tensor<2xf32>) -> tensor<?x2xf32> {
  %0 = nn.dense %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  %1 = nn.activation %0 slope %s {activation = #nn.activation<prelu>} : tensor<?x2xf32>, tensor<2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// Every activation kind fuses (softmax acts on the Dense's last axis).
// CHECK-LABEL: func @every_kind
// CHECK-COUNT-10: nn.dense {{.*}}activation = #nn.activation<
// CHECK-NOT: nn.activation %
func.func @every_kind(%x: tensor<?x4xf32>, %w: tensor<4x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %1 = nn.activation %0 {activation = #nn.activation<sigmoid>} : tensor<?x4xf32>
  %2 = nn.dense %1, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %3 = nn.activation %2 {activation = #nn.activation<tanh>} : tensor<?x4xf32>
  %4 = nn.dense %3, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %5 = nn.activation %4 {activation = #nn.activation<relu>} : tensor<?x4xf32>
  %6 = nn.dense %5, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %7 = nn.activation %6 {activation = #nn.activation<leaky_relu, alpha = 0.3>} : tensor<?x4xf32>
  %8 = nn.dense %7, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %9 = nn.activation %8 {activation = #nn.activation<rrelu, lower = 0.125, upper = 0.25>} : tensor<?x4xf32>
  %10 = nn.dense %9, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %11 = nn.activation %10 {activation = #nn.activation<selu, scale = 1.05, alpha = 1.67>} : tensor<?x4xf32>
  %12 = nn.dense %11, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %13 = nn.activation %12 {activation = #nn.activation<gelu>} : tensor<?x4xf32>
  %14 = nn.dense %13, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %15 = nn.activation %14 {activation = #nn.activation<swish>} : tensor<?x4xf32>
  %16 = nn.dense %15, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %17 = nn.activation %16 {activation = #nn.activation<elu, alpha = 0.5>} : tensor<?x4xf32>
  %18 = nn.dense %17, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %19 = nn.activation %18 {activation = #nn.activation<softmax>} : tensor<?x4xf32>
  return %19 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func @negative_already_fused
// CHECK: nn.activation %
func.func @negative_already_fused(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>) -> tensor<?x2xf32> {
  %0 = nn.dense %x, %w {activation = #nn.activation<relu>} : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  %1 = nn.activation %0 {activation = #nn.activation<tanh>} : tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// CHECK-LABEL: func @negative_other_use
// CHECK: nn.activation %
func.func @negative_other_use(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %0 = nn.dense %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  %1 = nn.activation %0 {activation = #nn.activation<relu>} : tensor<?x2xf32>
  return %0, %1 : tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// Not across a dropout.
// CHECK-LABEL: func @negative_dropout_between
// CHECK: nn.dropout
// CHECK: nn.activation %
func.func @negative_dropout_between(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>) -> tensor<?x2xf32> {
  %0 = nn.dense %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  %1 = nn.dropout %0 {rate = 0.5 : f32} : tensor<?x2xf32>
  %2 = nn.activation %1 {activation = #nn.activation<relu>} : tensor<?x2xf32>
  return %2 : tensor<?x2xf32>
}
