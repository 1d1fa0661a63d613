// RUN: kiln-opt %s --nn-strip-dropout | FileCheck %s

// CHECK-LABEL: func @strip
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NOT: nn.dropout
// CHECK: %[[Y:.*]] = nn.activation %[[X]]
// CHECK: return %[[Y]]
func.func @strip(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.dropout %x {rate = 0.2 : f32} : tensor<?x4xf32>
  %1 = nn.dropout %0 {rate = 0.1 : f32, kind = #nn.dropout_kind<alpha>} : tensor<?x4xf32>
  %2 = nn.activation %1 {activation = #nn.activation<relu>} : tensor<?x4xf32>
  return %2 : tensor<?x4xf32>
}
