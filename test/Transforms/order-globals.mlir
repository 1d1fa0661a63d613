// RUN: kiln-opt %s -split-input-file -verify-diagnostics --kiln-order-globals | FileCheck %s

// Constant globals take __constant_<k> by first use, in module order, and
// move there; unused ones follow, and other globals keep their names.
// CHECK-LABEL: module
// CHECK-NEXT: memref.global "private" constant @__constant_0 : memref<2xf32> = dense<[3.000000e+00, 4.000000e+00]>
// CHECK-NEXT: memref.global "private" constant @__constant_1 : memref<2xf32> = dense<[1.000000e+00, 2.000000e+00]>
// CHECK-NEXT: memref.global "private" constant @__constant_2 : memref<3xf32> = dense<5.000000e+00>
// CHECK-NEXT: memref.global "private" constant @__constant_3 : memref<1xf32> = dense<9.000000e+00>
// CHECK-NEXT: memref.global "private" @state : memref<2xf32> = dense<0.000000e+00>
// CHECK-LABEL: func.func @first
// CHECK-NEXT: memref.get_global @__constant_0 : memref<2xf32>
// CHECK-NEXT: memref.get_global @__constant_1 : memref<2xf32>
// CHECK-LABEL: func.func @second
// CHECK-NEXT: memref.get_global @__constant_2 : memref<3xf32>
// CHECK-NEXT: memref.get_global @__constant_1 : memref<2xf32>
// CHECK-NEXT: memref.get_global @state : memref<2xf32>
module {
  memref.global "private" constant @__constant_2xf32 : memref<2xf32> = dense<[1.0, 2.0]>
  memref.global "private" @state : memref<2xf32> = dense<0.0>
  memref.global "private" constant @__constant_1xf32 : memref<1xf32> = dense<9.0>
  memref.global "private" constant @__constant_2xf32_0 : memref<2xf32> = dense<[3.0, 4.0]>
  memref.global "private" constant @__constant_3xf32 : memref<3xf32> = dense<5.0>
  func.func @first() -> (memref<2xf32>, memref<2xf32>) {
    %a = memref.get_global @__constant_2xf32_0 : memref<2xf32>
    %b = memref.get_global @__constant_2xf32 : memref<2xf32>
    return %a, %b : memref<2xf32>, memref<2xf32>
  }
  func.func @second() -> (memref<3xf32>, memref<2xf32>, memref<2xf32>) {
    %c = memref.get_global @__constant_3xf32 : memref<3xf32>
    %b = memref.get_global @__constant_2xf32 : memref<2xf32>
    %s = memref.get_global @state : memref<2xf32>
    return %c, %b, %s : memref<3xf32>, memref<2xf32>, memref<2xf32>
  }
}

// -----

// A name the pass would give, held by another symbol, is an error naming
// it (two symbols of one name would follow).
module {
  memref.global "private" constant @__constant_2xf32 : memref<2xf32> = dense<[1.0, 2.0]>
  // expected-error @below {{kiln-order-globals: the name '__constant_0' it gives a constant global is taken}}
  memref.global "private" @__constant_0 : memref<2xf32> = dense<0.0>
  func.func @use() -> memref<2xf32> {
    %0 = memref.get_global @__constant_2xf32 : memref<2xf32>
    return %0 : memref<2xf32>
  }
}
