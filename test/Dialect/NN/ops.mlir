// Round trip of every op and every activation kind, through the custom and
// the generic form.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// CHECK-LABEL: func @dense
func.func @dense(%x: tensor<?x784xf32>, %w: tensor<784x300xf32>, %b: tensor<300xf32>,
                 %w2: tensor<300x100xf32>, %s: tensor<100xf32>) -> tensor<?x100xf32> {
  // CHECK: %[[Y:.*]] = nn.dense %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<784x300xf32>, tensor<300xf32>) -> tensor<?x300xf32>
  %y = nn.dense %x, %w, %b : (tensor<?x784xf32>, tensor<784x300xf32>, tensor<300xf32>) -> tensor<?x300xf32>
  // CHECK: nn.dense %[[Y]], %{{.*}} slope %{{.*}} {activation = #nn.activation<prelu>} : (tensor<?x300xf32>, tensor<300x100xf32>, tensor<100xf32>) -> tensor<?x100xf32>
  %z = nn.dense %y, %w2 slope %s {activation = #nn.activation<prelu>} : (tensor<?x300xf32>, tensor<300x100xf32>, tensor<100xf32>) -> tensor<?x100xf32>
  return %z : tensor<?x100xf32>
}

// CHECK-LABEL: func @dense_f16_static_batch
func.func @dense_f16_static_batch(%x: tensor<8x4xf16>, %w: tensor<4x2xf16>) -> tensor<8x2xf16> {
  // CHECK: nn.dense %{{.*}}, %{{.*}} {activation = #nn.activation<tanh>} : (tensor<8x4xf16>, tensor<4x2xf16>) -> tensor<8x2xf16>
  %y = nn.dense %x, %w {activation = #nn.activation<tanh>} : (tensor<8x4xf16>, tensor<4x2xf16>) -> tensor<8x2xf16>
  return %y : tensor<8x2xf16>
}

// CHECK-LABEL: func @dense_narrow_weights
func.func @dense_narrow_weights(%x: tensor<?x4xf32>, %w: tensor<4x2xf16>, %w2: tensor<2x2xbf16>,
                                %b: tensor<2xf32>) -> tensor<?x2xf32> {
  // CHECK: nn.dense %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4x2xf16>, tensor<2xf32>) -> tensor<?x2xf32>
  %y = nn.dense %x, %w, %b : (tensor<?x4xf32>, tensor<4x2xf16>, tensor<2xf32>) -> tensor<?x2xf32>
  // CHECK: nn.dense %{{.*}}, %{{.*}} : (tensor<?x2xf32>, tensor<2x2xbf16>) -> tensor<?x2xf32>
  %z = nn.dense %y, %w2 : (tensor<?x2xf32>, tensor<2x2xbf16>) -> tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}

// CHECK-LABEL: func @activations
func.func @activations(%x: tensor<?x4xf32>, %s: tensor<4xf32>) {
  // CHECK: nn.activation %{{.*}} {activation = #nn.activation<identity>} : tensor<?x4xf32>
  %0 = nn.activation %x {activation = #nn.activation<identity>} : tensor<?x4xf32>
  // CHECK: #nn.activation<sigmoid>
  %1 = nn.activation %x {activation = #nn.activation<sigmoid>} : tensor<?x4xf32>
  // CHECK: #nn.activation<tanh>
  %2 = nn.activation %x {activation = #nn.activation<tanh>} : tensor<?x4xf32>
  // CHECK: #nn.activation<relu>
  %3 = nn.activation %x {activation = #nn.activation<relu>} : tensor<?x4xf32>
  // CHECK: #nn.activation<leaky_relu, alpha = 3.000000e-01>
  %4 = nn.activation %x {activation = #nn.activation<leaky_relu, alpha = 0.3>} : tensor<?x4xf32>
  // CHECK: nn.activation %{{.*}} slope %{{.*}} {activation = #nn.activation<prelu>} : tensor<?x4xf32>, tensor<4xf32>
  %5 = nn.activation %x slope %s {activation = #nn.activation<prelu>} : tensor<?x4xf32>, tensor<4xf32>
  // CHECK: #nn.activation<rrelu, lower = 1.250000e-01, upper = 0.333333343>
  %6 = nn.activation %x {activation = #nn.activation<rrelu, lower = 0.125, upper = 0.333333333>} : tensor<?x4xf32>
  // CHECK: #nn.activation<elu, alpha = 1.000000e+00>
  %7 = nn.activation %x {activation = #nn.activation<elu, alpha = 1.0>} : tensor<?x4xf32>
  // Parameters print in a fixed order whatever the input order.
  // CHECK: #nn.activation<selu, scale = 1.05070102, alpha = 1.67326319>
  %8 = nn.activation %x {activation = #nn.activation<selu, alpha = 1.6732632423543772, scale = 1.0507009873554805>} : tensor<?x4xf32>
  // CHECK: #nn.activation<softmax>
  %9 = nn.activation %x {activation = #nn.activation<softmax>} : tensor<?x4xf32>
  // CHECK: #nn.activation<gelu>
  %10 = nn.activation %x {activation = #nn.activation<gelu>} : tensor<?x4xf32>
  // CHECK: #nn.activation<swish>
  %11 = nn.activation %x {activation = #nn.activation<swish>} : tensor<?x4xf32>
  return
}

// CHECK-LABEL: func @batch_norm
func.func @batch_norm(%x: tensor<?x8xf32>, %p: tensor<8xf32>) -> tensor<?x8xf32> {
  // CHECK: nn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 9.99999974E-6 : f32} : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
  %0 = nn.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
  // The Keras default epsilon is implied.
  // CHECK: nn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x8xf32>
  %1 = nn.batch_norm %0, %p, %p, %p, %p : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
  return %1 : tensor<?x8xf32>
}

// CHECK-LABEL: func @dropout
func.func @dropout(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // CHECK: nn.dropout %{{.*}} {rate = 2.000000e-01 : f32} : tensor<?x8xf32>
  %0 = nn.dropout %x {rate = 0.2 : f32} : tensor<?x8xf32>
  // CHECK: nn.dropout %{{.*}} {kind = #nn.dropout_kind<alpha>, rate = 1.000000e-01 : f32} : tensor<?x8xf32>
  %1 = nn.dropout %0 {rate = 0.1 : f32, kind = #nn.dropout_kind<alpha>} : tensor<?x8xf32>
  return %1 : tensor<?x8xf32>
}

// CHECK-LABEL: func @flatten_normalize
func.func @flatten_normalize(%x: tensor<?x28x28xf32>, %m: tensor<28x28xf32>) -> tensor<?x784xf32> {
  // CHECK: nn.normalize %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x28x28xf32>, tensor<28x28xf32> -> tensor<?x28x28xf32>
  %0 = nn.normalize %x, %m, %m : tensor<?x28x28xf32>, tensor<28x28xf32> -> tensor<?x28x28xf32>
  // CHECK: nn.flatten %{{.*}} : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %1 = nn.flatten %0 : tensor<?x28x28xf32> -> tensor<?x784xf32>
  return %1 : tensor<?x784xf32>
}
