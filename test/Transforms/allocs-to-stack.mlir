// RUN: kiln-opt %s --split-input-file --kiln-allocs-to-stack --verify-diagnostics | FileCheck %s

// Batch-shaped buffers share stack slots when their live ranges do not
// overlap: %a is dead once %b is written, so %c reuses its slot; %b needs a
// slot of its own. Slots are i8 allocas of batch × bytes per row with typed
// views; static buffers keep their own alloca. Per row: slot 0 holds 300
// floats (1200 bytes), slot 1 100 floats (400). Fixed: the 16-float buffer
// (64 bytes + 4 of alignment padding) and 64 bytes of alignment per slot.
// CHECK: module attributes {kiln.stack_bytes = {model = array<i64: 1600, 196>}}
// CHECK-LABEL: func @model
// CHECK: %[[BATCH:.*]] = memref.dim %arg0, %[[C0:.*]] : memref<?x784xf32>
// CHECK: %[[S0:.*]] = arith.muli %[[BATCH]], %c1200
// CHECK: %[[SLOT0:.*]] = memref.alloca(%[[S0]]) {alignment = 64 : i64} : memref<?xi8>
// CHECK: %[[S1:.*]] = arith.muli %[[BATCH]], %c400
// CHECK: %[[SLOT1:.*]] = memref.alloca(%[[S1]]) {alignment = 64 : i64} : memref<?xi8>
// CHECK: memref.view %[[SLOT0]][%[[C0]]][%{{.*}}] : memref<?xi8> to memref<?x300xf32>
// CHECK: memref.view %[[SLOT1]][%[[C0]]][%{{.*}}] : memref<?xi8> to memref<?x100xf32>
// CHECK: memref.view %[[SLOT0]][%[[C0]]][%{{.*}}] : memref<?xi8> to memref<?x10xf32>
// CHECK: memref.alloca() : memref<16xf32>
// CHECK-NOT: memref.alloc(
func.func @model(%x: memref<?x784xf32>, %out: memref<?x10xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?x784xf32>
  %a = memref.alloc(%n) {alignment = 64 : i64} : memref<?x300xf32>
  %va = memref.subview %a[0, 0] [%n, 100] [1, 1] : memref<?x300xf32> to memref<?x100xf32, strided<[300, 1]>>
  %b = memref.alloc(%n) {alignment = 64 : i64} : memref<?x100xf32>
  memref.copy %va, %b : memref<?x100xf32, strided<[300, 1]>> to memref<?x100xf32>
  %c = memref.alloc(%n) {alignment = 64 : i64} : memref<?x10xf32>
  %vb = memref.subview %b[0, 0] [%n, 10] [1, 1] : memref<?x100xf32> to memref<?x10xf32, strided<[100, 1]>>
  memref.copy %vb, %c : memref<?x10xf32, strided<[100, 1]>> to memref<?x10xf32>
  %s = memref.alloc() : memref<16xf32>
  memref.copy %c, %out : memref<?x10xf32> to memref<?x10xf32>
  return
}

// -----

// A buffer may hold a constant multiple of the batch's rows (16 copies
// stacked): 16 × 8 floats per batch row, followed through the memref.dim
// of a buffer back to its allocation.
// CHECK: module attributes {kiln.stack_bytes = {stacked = array<i64: 1024, 128>}
func.func @stacked(%x: memref<?x8xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %b = memref.dim %x, %c0 : memref<?x8xf32>
  %n = arith.muli %b, %c16 : index
  %a = memref.alloc(%n) : memref<?x8xf32>
  %m = memref.dim %a, %c0 : memref<?x8xf32>
  %c = memref.alloc(%m) : memref<?x8xf32>
  memref.copy %a, %c : memref<?x8xf32> to memref<?x8xf32>
  return
}

// -----

// A step count chosen at run time (select(c, 18, 1)) bounds as its larger
// side: 18 × 8 floats per batch row.
// CHECK: module attributes {kiln.stack_bytes = {chosen = array<i64: 576, 64>}
func.func @chosen(%x: memref<?x8xf32>, %small: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c18 = arith.constant 18 : index
  %b = memref.dim %x, %c0 : memref<?x8xf32>
  %step = arith.select %small, %c18, %c1 : index
  %n = arith.muli %step, %b : index
  %a = memref.alloc(%n) : memref<?x8xf32>
  return
}

// -----

// nn-monte-carlo's steps of at least 24 rows: n = min(⌈24/B⌉, left)
// samples of B rows, ⌈24/B⌉ as (B + 23)/B, hold at most B + 23 rows, found
// through the memref.dim of a buffer allocated with B rows (%h, dead
// before the loop: it shares %a's slot). Per row 8 floats (32 bytes);
// fixed 23 × 32 bytes and the slot's 64 of alignment.
// CHECK: module attributes {kiln.stack_bytes = {steps = array<i64: 32, 800>}
// CHECK-LABEL: func @steps
// CHECK: %[[ROWS:.*]] = arith.muli %{{.*}}, %c32
// CHECK: %[[SIZE:.*]] = arith.addi %[[ROWS]], %c736
// CHECK: memref.alloca(%[[SIZE]]) {alignment = 64 : i64} : memref<?xi8>
func.func @steps(%x: memref<?x8xf32>, %count: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c23 = arith.constant 23 : index
  %b = memref.dim %x, %c0 : memref<?x8xf32>
  %plus = arith.addi %b, %c23 : index
  %chunk = arith.divui %plus, %b : index
  %h = memref.alloc(%b) : memref<?x8xf32>
  memref.copy %x, %h : memref<?x8xf32> to memref<?x8xf32>
  %bh = memref.dim %h, %c0 : memref<?x8xf32>
  scf.for %i = %c0 to %count step %chunk {
    %left = arith.subi %count, %i : index
    %n = arith.minui %chunk, %left : index
    %rows = arith.muli %bh, %n : index
    %a = memref.alloc(%rows) : memref<?x8xf32>
    memref.copy %x, %a : memref<?x8xf32> to memref<?x8xf32>
  }
  return
}

// -----

// A sum of bounds, and select's larger bound in each part: B + 4 or 10
// rows are at most B + 10; 32 bytes per row, 320 fixed (+ 64 alignment).
// CHECK: module attributes {kiln.stack_bytes = {mixed = array<i64: 32, 384>}
func.func @mixed(%x: memref<?x8xf32>, %small: i1) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  %b = memref.dim %x, %c0 : memref<?x8xf32>
  %plus = arith.addi %b, %c4 : index
  %rows = arith.select %small, %plus, %c10 : index
  %a = memref.alloc(%rows) : memref<?x8xf32>
  return
}

// -----

// ⌊(B + 23)/m⌋·B has no such bound when m may be another value than B,
// nor ⌊(k + 23)/B⌋·B for another k.
func.func @steps_of_other_rows(%x: memref<?x8xf32>, %m: index) {
  %c0 = arith.constant 0 : index
  %c23 = arith.constant 23 : index
  %b = memref.dim %x, %c0 : memref<?x8xf32>
  %plus = arith.addi %b, %c23 : index
  %chunk = arith.divui %plus, %m : index
  %rows = arith.muli %chunk, %b : index
  // expected-error @+1 {{has a row count with no bound of the form a·batch + b}}
  %a = memref.alloc(%rows) : memref<?x8xf32>
  return
}

// -----

func.func @steps_of_other_sum(%x: memref<?x8xf32>, %k: index) {
  %c0 = arith.constant 0 : index
  %c23 = arith.constant 23 : index
  %b = memref.dim %x, %c0 : memref<?x8xf32>
  %plus = arith.addi %k, %c23 : index
  %chunk = arith.divui %plus, %b : index
  %rows = arith.muli %chunk, %b : index
  // expected-error @+1 {{has a row count with no bound of the form a·batch + b}}
  %a = memref.alloc(%rows) : memref<?x8xf32>
  return
}

// -----

func.func @unbounded(%x: memref<?x8xf32>, %n: index) {
  // expected-error @+1 {{has a row count with no bound of the form a·batch + b}}
  %a = memref.alloc(%n) : memref<?x8xf32>
  return
}

// -----

// Buffers allocated inside a loop hold nothing from one iteration to the
// next: %a (dead once %b is written) and %c share a slot; %b, live while
// both are, has its own. %acc, allocated outside and used inside, is live
// across the whole loop. Per row: 3 slots × 32 bytes.
// CHECK: module attributes {kiln.stack_bytes = {loop_local = array<i64: 96, 192>}
// CHECK-LABEL: func @loop_local
// CHECK-COUNT-3: memref.alloca(%{{.*}}) {alignment = 64 : i64} : memref<?xi8>
// CHECK-NOT: memref.alloca
func.func @loop_local(%x: memref<?x8xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b0 = memref.dim %x, %c0 : memref<?x8xf32>
  %acc = memref.alloc(%b0) : memref<?x8xf32>
  scf.for %i = %c0 to %n step %c1 {
    %a = memref.alloc(%b0) : memref<?x8xf32>
    memref.copy %x, %a : memref<?x8xf32> to memref<?x8xf32>
    %b = memref.alloc(%b0) : memref<?x8xf32>
    memref.copy %a, %b : memref<?x8xf32> to memref<?x8xf32>
    %c = memref.alloc(%b0) : memref<?x8xf32>
    memref.copy %b, %c : memref<?x8xf32> to memref<?x8xf32>
    memref.copy %c, %acc : memref<?x8xf32> to memref<?x8xf32>
  }
  return
}

// -----

// A buffer whose size is computed inside the loop stays there; with no
// bound on its rows it cannot move to the stack.
func.func @in_loop(%x: memref<?x4xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    // expected-error @+1 {{has a row count with no bound of the form a·batch + b: its stack size is unbounded}}
    %a = memref.alloc(%i) : memref<?x4xf32>
  }
  return
}

// -----

// Bounded inside the loop (the last, shorter step of a sample loop: at
// most 3 batches of rows): the view stays in the loop, of a slot sized for
// the bound, 3 × 4 floats = 48 bytes per row.
// CHECK: module attributes {kiln.stack_bytes = {in_loop_bounded = array<i64: 48, 64>}
// CHECK-LABEL: func @in_loop_bounded
// CHECK: memref.alloca(%{{.*}}) {alignment = 64 : i64} : memref<?xi8>
// CHECK: scf.for
// CHECK: %[[ROWS:.*]] = arith.minui
// CHECK: memref.view %{{.*}}[%{{.*}}][%[[ROWS]]] : memref<?xi8> to memref<?x4xf32>
// CHECK-NOT: memref.alloc(
func.func @in_loop_bounded(%x: memref<?x4xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %b = memref.dim %x, %c0 : memref<?x4xf32>
  %cap = arith.muli %b, %c3 : index
  scf.for %i = %c0 to %n step %c1 {
    %left = arith.subi %n, %i : index
    %rows = arith.minui %cap, %left : index
    %a = memref.alloc(%rows) : memref<?x4xf32>
    memref.copy %x, %a : memref<?x4xf32> to memref<?x4xf32>
  }
  return
}

// -----

// One whose size is known before the loop moves out of it, into a slot.
// CHECK: module attributes {kiln.stack_bytes = {hoisted = array<i64: 32, 64>}
// CHECK-LABEL: func @hoisted
// CHECK: memref.alloca(%{{.*}}) {alignment = 64 : i64} : memref<?xi8>
// CHECK: memref.view
// CHECK: scf.for
// CHECK-NOT: memref.alloc
func.func @hoisted(%x: memref<?x8xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = memref.dim %x, %c0 : memref<?x8xf32>
  scf.for %i = %c0 to %n step %c1 {
    %a = memref.alloc(%b) : memref<?x8xf32>
    memref.copy %x, %a : memref<?x8xf32> to memref<?x8xf32>
  }
  return
}

// -----

func.func @dynamic_features(%n: index) {
  // expected-error @+1 {{has a dynamic dimension other than the batch (dimension 0)}}
  %a = memref.alloc(%n) : memref<4x?xf32>
  return
}

// -----

// A caller's need includes its deepest callee's fixed frame: @caller's own
// 32 bytes per row and 64 fixed (slot alignment), plus the larger of @small
// (64 + 4 padding) and @large (256 + 4).
// CHECK: module attributes {kiln.stack_bytes = {caller = array<i64: 32, 324>, large = array<i64: 0, 260>, small = array<i64: 0, 68>}}
func.func private @small() {
  %a = memref.alloc() : memref<16xf32>
  %z = arith.constant 0.0 : f32
  %i = arith.constant 0 : index
  memref.store %z, %a[%i] : memref<16xf32>
  return
}
func.func private @large() {
  %a = memref.alloc() : memref<64xf32>
  %z = arith.constant 0.0 : f32
  %i = arith.constant 0 : index
  memref.store %z, %a[%i] : memref<64xf32>
  return
}
func.func @caller(%x: memref<?x8xf32>) {
  %c0 = arith.constant 0 : index
  %b = memref.dim %x, %c0 : memref<?x8xf32>
  %a = memref.alloc(%b) : memref<?x8xf32>
  memref.copy %x, %a : memref<?x8xf32> to memref<?x8xf32>
  call @small() : () -> ()
  call @large() : () -> ()
  return
}

// -----

// A callee whose stack grows with its rows cannot be bounded from the caller.
func.func private @rows(%x: memref<?x8xf32>) {
  %c0 = arith.constant 0 : index
  %b = memref.dim %x, %c0 : memref<?x8xf32>
  %a = memref.alloc(%b) : memref<?x8xf32>
  memref.copy %x, %a : memref<?x8xf32> to memref<?x8xf32>
  return
}
func.func @calls_rows(%x: memref<?x8xf32>) {
  // expected-error @+1 {{callee 'rows' needs stack per row; only fixed-size callee frames are supported}}
  call @rows(%x) : (memref<?x8xf32>) -> ()
  return
}

// -----

// A row count clamped by arith.minui to a constant multiple of the batch
// is bounded by it (as nn-monte-carlo clamps its last step of samples).
// CHECK: module attributes {kiln.stack_bytes = {clamped = array<i64: 800, 64>}}
func.func @clamped(%x: memref<?x8xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c25 = arith.constant 25 : index
  %b = memref.dim %x, %c0 : memref<?x8xf32>
  %k = arith.minui %n, %c25 : index
  %rows = arith.muli %k, %b : index
  %a = memref.alloc(%rows) : memref<?x8xf32>
  %z = arith.constant 0.0 : f32
  memref.store %z, %a[%c0, %c0] : memref<?x8xf32>
  return
}

// -----

// Recursion has no stack bound.
// expected-error @+1 {{'loop' is recursive; its stack use has no bound}}
func.func @loop() {
  call @loop() : () -> ()
  return
}
