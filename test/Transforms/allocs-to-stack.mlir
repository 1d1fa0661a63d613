// RUN: kiln-opt %s --split-input-file --kiln-allocs-to-stack --verify-diagnostics | FileCheck %s

// Batch-dynamic and static buffers move to the stack with their alignment;
// the module records bytes per row (300 + 10 floats) and fixed bytes (the
// 16-float buffer plus one alignment of padding per buffer: 64 + 64 + 4).
// CHECK: module attributes {kiln.stack_bytes_fixed = 196 : i64, kiln.stack_bytes_per_row = 1240 : i64}
// CHECK-LABEL: func @model
// CHECK-NOT: memref.alloc(
// CHECK: memref.alloca(%{{.*}}) {alignment = 64 : i64} : memref<?x300xf32>
// CHECK: memref.alloca(%{{.*}}) {alignment = 64 : i64} : memref<?x10xf32>
// CHECK: memref.alloca() : memref<16xf32>
// CHECK-NOT: memref.alloc(
func.func @model(%x: memref<?x784xf32>, %out: memref<?x10xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?x784xf32>
  %a = memref.alloc(%n) {alignment = 64 : i64} : memref<?x300xf32>
  %b = memref.alloc(%n) {alignment = 64 : i64} : memref<?x10xf32>
  %c = memref.alloc() : memref<16xf32>
  memref.copy %b, %out : memref<?x10xf32> to memref<?x10xf32>
  return
}

// -----

func.func @in_loop(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    // expected-error @+1 {{is inside a loop or conditional: it cannot move to the stack}}
    %a = memref.alloc() : memref<16xf32>
  }
  return
}

// -----

func.func @dynamic_features(%n: index) {
  // expected-error @+1 {{has a dynamic dimension other than the batch (dimension 0)}}
  %a = memref.alloc(%n) : memref<4x?xf32>
  return
}
