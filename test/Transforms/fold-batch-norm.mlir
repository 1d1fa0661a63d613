// RUN: kiln-opt %s -split-input-file --nn-fold-batch-norm | FileCheck %s
// RUN: kiln-opt %s -split-input-file --nn-fold-batch-norm=precision=f16 | FileCheck %s --check-prefix=F16
// RUN: kiln-opt %s -split-input-file --nn-fold-batch-norm=precision=bf16 | FileCheck %s --check-prefix=BF16

// Shared numbers: gamma [2, 3], var [3, 0], eps 1 -> s = gamma/sqrt(var+eps)
// = [1, 3]; beta [0, 1], mean [1, 0] -> t = beta - mean*s = [-1, 1].

// BN after a linear Dense: W' = W diag(s) (columns), b' = (b - mean) s + beta.
// CHECK-LABEL: func @after_dense
// CHECK-SAME: (%[[X:.*]]: tensor<?x2xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 6.000000e+00], [3.000000e+00, 1.200000e+01]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[0.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = nn.dense %[[X]], %[[W]], %[[B]] :
// CHECK-NOT: nn.batch_norm
// CHECK: return %[[Y]]
func.func @after_dense(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %gamma = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = nn.dense %x, %w, %b : (tensor<?x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %1 = nn.batch_norm %0, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32} : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// Without bias, b' = -mean s + beta = t.
// CHECK-LABEL: func @after_dense_without_bias
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[-1.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK: nn.dense %{{.*}}, %{{.*}}, %[[B]] :
// CHECK-NOT: nn.batch_norm
func.func @after_dense_without_bias(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %gamma = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %1 = nn.batch_norm %0, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32} : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// Input BN before a Dense: W' = diag(s) W (rows), b' = b + t W; the Dense's
// activation stays.
// CHECK-LABEL: func @before_dense
// CHECK-SAME: (%[[X:.*]]: tensor<?x2xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [9.000000e+00, 1.200000e+01]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<3.000000e+00> : tensor<2xf32>
// CHECK: nn.dense %[[X]], %[[W]], %[[B]] {activation = #nn.activation<relu>}
// CHECK-NOT: nn.batch_norm
func.func @before_dense(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %gamma = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %var = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = nn.batch_norm %x, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32} : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %1 = nn.dense %0, %w, %b {activation = #nn.activation<relu>} : (tensor<?x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// Blob weights stay blobs.
// CHECK-LABEL: func @keeps_resource_blobs
// CHECK: arith.constant dense_resource<folded{{.*}}> : tensor<1x1xf32>
// CHECK-NOT: nn.batch_norm
func.func @keeps_resource_blobs(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense_resource<w> : tensor<1x1xf32>
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %0 = nn.dense %x, %w : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
  %1 = nn.batch_norm %0, %p, %p, %p, %p : tensor<?x1xf32>, tensor<1xf32> -> tensor<?x1xf32>
  return %1 : tensor<?x1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F"
    }
  }
#-}

// -----

// Never across a nonlinearity.
// CHECK-LABEL: func @negative_nonlinearity_between
// CHECK: nn.batch_norm
func.func @negative_nonlinearity_between(%x: tensor<?x2xf32>, %p: tensor<2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %c = arith.constant dense<1.0> : tensor<2xf32>
  %0 = nn.dense %x, %w {activation = #nn.activation<relu>} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %1 = nn.batch_norm %0, %c, %c, %c, %c : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// Never across a dropout kept for sampling, on either side.
// CHECK-LABEL: func @negative_dropout_between
// CHECK-COUNT-2: nn.batch_norm
func.func @negative_dropout_between(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %c = arith.constant dense<1.0> : tensor<2xf32>
  %0 = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %1 = nn.dropout %0 {rate = 0.2 : f32} : tensor<?x2xf32>
  %2 = nn.batch_norm %1, %c, %c, %c, %c : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %3 = nn.dropout %2 {rate = 0.2 : f32} : tensor<?x2xf32>
  %4 = nn.batch_norm %3, %c, %c, %c, %c : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %5 = nn.dropout %4 {rate = 0.2 : f32} : tensor<?x2xf32>
  %6 = nn.dense %5, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %6 : tensor<?x2xf32>
}

// -----

// The linear Dense result is used elsewhere: folding would change that use.
// CHECK-LABEL: func @negative_dense_has_other_use
// CHECK: nn.batch_norm
func.func @negative_dense_has_other_use(%x: tensor<?x2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %c = arith.constant dense<1.0> : tensor<2xf32>
  %0 = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %1 = nn.batch_norm %0, %c, %c, %c, %c : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  return %0, %1 : tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// Weights that are not constants cannot be folded at compile time.
// CHECK-LABEL: func @negative_non_constant_weights
// CHECK: nn.batch_norm
func.func @negative_non_constant_weights(%x: tensor<?x2xf32>, %w: tensor<2x2xf32>) -> tensor<?x2xf32> {
  %c = arith.constant dense<1.0> : tensor<2xf32>
  %0 = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %1 = nn.batch_norm %0, %c, %c, %c, %c : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// A fold whose weights or bias would overflow f32 (γ = 1e30, σ² = 0,
// ε = 1e-3: s ≈ 3.2e31, W·s ≈ 3.2e41 > FLT_MAX) is not made: the BN stays
// and runs as the trainer runs it, on either side of the Dense. NaN fails
// the test as well (|NaN| <= FLT_MAX is false).
// CHECK-LABEL: func @negative_overflow_after
// CHECK: nn.dense
// CHECK: nn.batch_norm
// CHECK-LABEL: func @negative_overflow_before
// CHECK: nn.batch_norm
// CHECK: nn.dense
func.func @negative_overflow_after(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<1.0e10> : tensor<2x2xf32>
  %g = arith.constant dense<1.0e30> : tensor<2xf32>
  %z = arith.constant dense<0.0> : tensor<2xf32>
  %0 = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %1 = nn.batch_norm %0, %g, %z, %z, %z {epsilon = 1.0e-3 : f32} : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}
func.func @negative_overflow_before(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<1.0e10> : tensor<2x2xf32>
  %g = arith.constant dense<1.0e30> : tensor<2xf32>
  %z = arith.constant dense<0.0> : tensor<2xf32>
  %0 = nn.batch_norm %x, %g, %z, %z, %z {epsilon = 1.0e-3 : f32} : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %1 = nn.dense %0, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// Input standardization (x - mean)/std before a Dense is the affine map with
// s = 1/std, t = -mean/std: mean [1, -2], std [2, 0.5] -> s = [0.5, 2],
// t = [-0.5, 4]; W' = diag(s) W, b' = b + t W = [1 + 11.5, 1 + 15]. The
// Dense's activation stays.
// CHECK-LABEL: func @normalize_before_dense
// CHECK-SAME: (%[[X:.*]]: tensor<?x2xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[5.000000e-01, 1.000000e+00], [6.000000e+00, 8.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.250000e+01, 1.600000e+01]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = nn.dense %[[X]], %[[W]], %[[B]] {activation = #nn.activation<relu>}
// CHECK-NOT: nn.normalize
// CHECK: return %[[Y]]
func.func @normalize_before_dense(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %mean = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %std = arith.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %1 = nn.dense %0, %w, %b {activation = #nn.activation<relu>} : (tensor<?x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// Through nn.flatten, feature i of the Dense is element i of mean and std in
// row-major order: mean [[0, 1], [2, 3]], std [[1, 1], [1, 2]] ->
// s = [1, 1, 1, 0.5], t = [0, -1, -2, -1.5]; W rows [1,0] [0,1] [1,1] [2,2]
// -> W' rows [1,0] [0,1] [1,1] [1,1], b' = t W = [-2 - 3, -1 - 2 - 3].
// CHECK-LABEL: func @normalize_through_flatten
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x2xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00]]> : tensor<4x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[-5.000000e+00, -6.000000e+00]> : tensor<2xf32>
// CHECK: %[[F:.*]] = nn.flatten %[[X]] : tensor<?x2x2xf32> -> tensor<?x4xf32>
// CHECK: nn.dense %[[F]], %[[W]], %[[B]] :
// CHECK-NOT: nn.normalize
func.func @normalize_through_flatten(%x: tensor<?x2x2xf32>) -> tensor<?x2xf32> {
  %mean = arith.constant dense<[[0.0, 1.0], [2.0, 3.0]]> : tensor<2x2xf32>
  %std = arith.constant dense<[[1.0, 1.0], [1.0, 2.0]]> : tensor<2x2xf32>
  %w = arith.constant dense<[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 2.0]]> : tensor<4x2xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x2x2xf32>, tensor<2x2xf32> -> tensor<?x2x2xf32>
  %1 = nn.flatten %0 : tensor<?x2x2xf32> -> tensor<?x4xf32>
  %2 = nn.dense %1, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return %2 : tensor<?x2xf32>
}

// -----

// The normalized input has another use: the Dense folds, the normalize
// stays for the other use.
// CHECK-LABEL: func @normalize_other_use
// CHECK-SAME: (%[[X:.*]]: tensor<?x2xf32>)
// CHECK: %[[N:.*]] = nn.normalize %[[X]]
// CHECK: %[[Y:.*]] = nn.dense %[[X]],
// CHECK: return %[[N]], %[[Y]]
func.func @normalize_other_use(%x: tensor<?x2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %mean = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %std = arith.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %1 = nn.dense %0, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %0, %1 : tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// Not folded: a dropout in between (it zeroes standardized values, which
// are not zero raw values); a std of 0 (0/0 is no mean-over-spread ratio:
// NaN refuses the fold); a std so small that W/std overflows f32.
// CHECK-LABEL: func @negative_normalize_dropout
// CHECK: nn.normalize
// CHECK: nn.dropout
// CHECK: nn.dense
// CHECK-LABEL: func @negative_normalize_zero_std
// CHECK: nn.normalize
// CHECK: nn.dense
// CHECK-LABEL: func @negative_normalize_overflow
// CHECK: nn.normalize
// CHECK: nn.dense
func.func @negative_normalize_dropout(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %mean = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %std = arith.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %1 = nn.dropout %0 {rate = 0.2 : f32} : tensor<?x2xf32>
  %2 = nn.dense %1, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %2 : tensor<?x2xf32>
}
func.func @negative_normalize_zero_std(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %mean = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %std = arith.constant dense<[2.0, 0.0]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %1 = nn.dense %0, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}
func.func @negative_normalize_overflow(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %mean = arith.constant dense<0.0> : tensor<2xf32>
  %std = arith.constant dense<[1.0, 1.0e-30]> : tensor<2xf32>
  %w = arith.constant dense<1.0e10> : tensor<2x2xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %1 = nn.dense %0, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// With 16-bit weight storage ahead (nn-quantize), a fold whose weights
// would be beyond the type's range is not made: a standardized feature
// constant in training (std floored at 1e-7) scales its row of weights by
// 10^7, past f16's 65504 but not bf16's range; likewise a BN of variance 0
// (ε = 1e-6: s ≈ 1000, W' = 100 · 1000). In f32 both fold.
// CHECK-LABEL: func @storage_range_normalize
// CHECK-NOT: nn.normalize
// CHECK-LABEL: func @storage_range_bn
// CHECK-NOT: nn.batch_norm
// F16-LABEL: func @storage_range_normalize
// F16: nn.normalize
// F16-LABEL: func @storage_range_bn
// F16: nn.batch_norm
// BF16-LABEL: func @storage_range_normalize
// BF16-NOT: nn.normalize
// BF16-LABEL: func @storage_range_bn
// BF16-NOT: nn.batch_norm
func.func @storage_range_normalize(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %mean = arith.constant dense<0.0> : tensor<2xf32>
  %std = arith.constant dense<[1.0, 1.0e-7]> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %1 = nn.dense %0, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}
func.func @storage_range_bn(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<100.0> : tensor<2x2xf32>
  %one = arith.constant dense<1.0> : tensor<2xf32>
  %z = arith.constant dense<0.0> : tensor<2xf32>
  %0 = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %1 = nn.batch_norm %0, %one, %z, %z, %z {epsilon = 1.0e-6 : f32} : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// Folded, a Dense adds x·s·W and t·W where unfolded it adds (x − μ)·s·W;
// with the input's mean μ many spreads σ from 0 the two folded terms
// cancel, and their rounding error is |μ|/σ times the unfolded one. Folds
// are made up to |μ| = 16σ: mean 16 folds, mean 17 does not (σ = std, or
// √(var + ε) = 1 for a BN before the Dense). After a Dense there is no
// limit: unfolded, (xW + b) − μ cancels as much.
// CHECK-LABEL: func @cancel_limit_normalize
// CHECK-NOT: nn.normalize
// F16-LABEL: func @cancel_limit_normalize
// BF16-LABEL: func @cancel_limit_normalize
// CHECK-LABEL: func @negative_cancel_normalize
// CHECK: nn.normalize
// CHECK-LABEL: func @negative_cancel_bn_before
// CHECK: nn.batch_norm
// CHECK-LABEL: func @cancel_bn_after
// CHECK-NOT: nn.batch_norm
func.func @cancel_limit_normalize(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %mean = arith.constant dense<[16.0, -16.0]> : tensor<2xf32>
  %std = arith.constant dense<1.0> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %1 = nn.dense %0, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}
func.func @negative_cancel_normalize(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %mean = arith.constant dense<[0.0, -17.0]> : tensor<2xf32>
  %std = arith.constant dense<1.0> : tensor<2xf32>
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %1 = nn.dense %0, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}
func.func @negative_cancel_bn_before(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %one = arith.constant dense<1.0> : tensor<2xf32>
  %z = arith.constant dense<0.0> : tensor<2xf32>
  %mean = arith.constant dense<[17.0, 0.0]> : tensor<2xf32>
  %0 = nn.batch_norm %x, %one, %z, %mean, %z {epsilon = 1.0 : f32} : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  %1 = nn.dense %0, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}
func.func @cancel_bn_after(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %one = arith.constant dense<1.0> : tensor<2xf32>
  %z = arith.constant dense<0.0> : tensor<2xf32>
  %mean = arith.constant dense<[17.0, 0.0]> : tensor<2xf32>
  %0 = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %1 = nn.batch_norm %0, %one, %z, %mean, %z {epsilon = 1.0 : f32} : tensor<?x2xf32>, tensor<2xf32> -> tensor<?x2xf32>
  return %1 : tensor<?x2xf32>
}

// -----

// With 16-bit storage the bias uses the weights as stored:
// b' = b + βW − μŴ'. W = 1.001 and mean 3, std 1: f16 holds 1 + 2^-10, so
// b' = −3·(1 + 2^-10) = −3.0029296875 (b + tW would be −3.003); bf16 holds
// 1.0, so b' = −3. In f32, b' = b + tW = −3·1.001 (1.001 as f32).
// CHECK-LABEL: func @stored_weight_bias
// CHECK: arith.constant dense<-3.00300026> : tensor<1xf32>
// F16-LABEL: func @stored_weight_bias
// F16: arith.constant dense<-3.00292969> : tensor<1xf32>
// BF16-LABEL: func @stored_weight_bias
// BF16: arith.constant dense<-3.000000e+00> : tensor<1xf32>
func.func @stored_weight_bias(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %mean = arith.constant dense<3.0> : tensor<1xf32>
  %std = arith.constant dense<1.0> : tensor<1xf32>
  %w = arith.constant dense<1.001> : tensor<1x1xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x1xf32>, tensor<1xf32> -> tensor<?x1xf32>
  %1 = nn.dense %0, %w : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
  return %1 : tensor<?x1xf32>
}

// -----

// A large std would push a weight that f16 holds as a normal number below
// f16's smallest normal, 2^-14 (W = 0.05, std 1e5: 5e-7, a subnormal with
// 3 significant bits): not folded with f16 storage; folded in f32.
// CHECK-LABEL: func @storage_underflow
// CHECK-NOT: nn.normalize
// F16-LABEL: func @storage_underflow
// F16: nn.normalize
func.func @storage_underflow(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %mean = arith.constant dense<0.0> : tensor<1xf32>
  %std = arith.constant dense<1.0e5> : tensor<1xf32>
  %w = arith.constant dense<0.05> : tensor<1x1xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x1xf32>, tensor<1xf32> -> tensor<?x1xf32>
  %1 = nn.dense %0, %w : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
  return %1 : tensor<?x1xf32>
}
