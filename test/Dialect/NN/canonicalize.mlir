// Folders: only identities that hold in every mode, and dropout survives CSE
// and DCE because it samples.
// RUN: kiln-opt %s -split-input-file --canonicalize | FileCheck %s
// RUN: kiln-opt %s -split-input-file --cse | FileCheck %s --check-prefix=CSE

// CHECK-LABEL: func @identity_activation
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NOT: nn.activation
// CHECK: return %[[X]]
func.func @identity_activation(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.activation %x {activation = #nn.activation<identity>} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func @relu_stays
// CHECK: nn.activation
func.func @relu_stays(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.activation %x {activation = #nn.activation<relu>} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func @zero_rate_dropout
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NOT: nn.dropout
// CHECK: return %[[X]]
func.func @zero_rate_dropout(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.dropout %x {rate = 0.0 : f32} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A sampled dropout whose result is unused must not be deleted: it consumes
// random state, and the samples after it depend on that.
// CHECK-LABEL: func @dropout_stays
// CHECK: nn.dropout %{{.*}} {rate = 2.000000e-01 : f32}
// CHECK: nn.dropout %{{.*}} {rate = 5.000000e-01 : f32}
func.func @dropout_stays(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.dropout %x {rate = 0.2 : f32} : tensor<?x4xf32>
  %1 = nn.dropout %x {rate = 0.5 : f32} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func @flatten_noop
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NOT: nn.flatten
// CHECK: return %[[X]]
func.func @flatten_noop(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.flatten %x : tensor<?x4xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func @flatten_stays
// CHECK: nn.flatten
func.func @flatten_stays(%x: tensor<?x2x2xf32>) -> tensor<?x4xf32> {
  %0 = nn.flatten %x : tensor<?x2x2xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Two identical dropouts are two independent samples: CSE keeps both, while
// it does merge two identical pure ops.
// CSE-LABEL: func @cse
// CSE-COUNT-2: nn.dropout
// CSE-COUNT-1: = nn.activation
// CSE-NOT: = nn.activation
func.func @cse(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = nn.dropout %x {rate = 0.2 : f32} : tensor<?x4xf32>
  %1 = nn.dropout %x {rate = 0.2 : f32} : tensor<?x4xf32>
  %2 = nn.activation %x {activation = #nn.activation<relu>} : tensor<?x4xf32>
  %3 = nn.activation %x {activation = #nn.activation<relu>} : tensor<?x4xf32>
  return %0, %1, %2, %3 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}
