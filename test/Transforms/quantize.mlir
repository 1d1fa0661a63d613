// RUN: kiln-opt %s --split-input-file --nn-quantize --verify-diagnostics | FileCheck %s --check-prefix=F16
// The last split overflows bf16 too: its error goes to BF16-RANGE.
// RUN: not kiln-opt %s --split-input-file --nn-quantize=precision=bf16 2>/dev/null | FileCheck %s --check-prefix=BF16
// RUN: not kiln-opt %s --split-input-file --nn-quantize=precision=bf16 2>&1 >/dev/null | FileCheck %s --check-prefix=BF16-RANGE
// RUN: not kiln-opt %s --split-input-file --nn-quantize=precision=f8 2>&1 | FileCheck %s --check-prefix=TYPE

// TYPE: Cannot find option named 'f8'!

// Rounding to nearest, ties to even. f16 has 10 fraction bits: 1 + 2^-11
// lies halfway between 1 and 1 + 2^-10 and goes to 1 (even); 1 + 3·2^-11
// lies halfway between 1 + 2^-10 and 1 + 2^-9 and goes to 1 + 2^-9 =
// 1.001953125 (even). 0.1 becomes 0x2E66 = 0.0999755859375. 65504 is f16's
// largest finite value. -3e-8 lies above half of the smallest subnormal
// (2^-24 = 5.96e-8) and rounds to it; 1e-9 rounds to 0. bf16 has 7
// fraction bits and f32's exponent range: 1 + 2^-11 and 1 + 3·2^-11 both go
// to 1, 0.1 to 0x3DCD = 0.10009765625, 65504 to 65536; tiny values stay.
// The bias stays f32, and a weight shared by two layers is converted once.
// F16-LABEL: func @rounding
// The f32 original is gone.
// F16-NOT: arith.constant {{.*}} : tensor<2x4xf32>
// F16: %[[W:.*]] = arith.constant dense<{{\[\[}}9.997550e-02, 1.000000e+00, 1.001950e+00, 6.550400e+04], [-5.960460e-08, 0.000000e+00, 1.000000e+00, 2.000000e+00]]> : tensor<2x4xf16>
// F16: %[[B:.*]] = arith.constant dense<1.000000e-01> : tensor<4xf32>
// F16: nn.dense %{{.*}}, %[[W]], %[[B]] : (tensor<?x2xf32>, tensor<2x4xf16>, tensor<4xf32>) -> tensor<?x4xf32>
// F16: nn.dense %{{.*}}, %[[W]] : (tensor<?x2xf32>, tensor<2x4xf16>) -> tensor<?x4xf32>
// BF16-LABEL: func @rounding
// BF16: %[[W:.*]] = arith.constant dense<{{\[\[}}1.000980e-01, 1.000000e+00, 1.000000e+00, 6.553600e+04], [-3.003520e-08, 9.968060e-10, 1.000000e+00, 2.000000e+00]]> : tensor<2x4xbf16>
// BF16: nn.dense %{{.*}}, %[[W]], %{{.*}} : (tensor<?x2xf32>, tensor<2x4xbf16>, tensor<4xf32>) -> tensor<?x4xf32>
// BF16: nn.dense %{{.*}}, %[[W]] : (tensor<?x2xf32>, tensor<2x4xbf16>) -> tensor<?x4xf32>
func.func @rounding(%x: tensor<?x2xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense<[[0.1, 1.00048828125, 1.00146484375, 65504.0], [-3.0e-8, 1.0e-9, 1.0, 2.0]]> : tensor<2x4xf32>
  %b = arith.constant dense<0.1> : tensor<4xf32>
  %y = nn.dense %x, %w, %b : (tensor<?x2xf32>, tensor<2x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %z = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x4xf32>) -> tensor<?x4xf32>
  %s = arith.addf %y, %z : tensor<?x4xf32>
  return %s : tensor<?x4xf32>
}

// -----

// Blob weights (the importer's form) become 16-bit blobs: 0.1 and 1.0 are
// 0x2E66 and 0x3C00 in f16, 0x3DCD and 0x3F80 in bf16, little-endian after
// the blob's alignment word.
// F16-LABEL: func @blob
// F16: arith.constant dense_resource<[[Q:quantized[_0-9]*]]> : tensor<1x2xf16>
// F16-NOT: weights:
// F16: [[Q]]: "0x02000000662E003C"
// BF16-LABEL: func @blob
// BF16: arith.constant dense_resource<[[Q:quantized[_0-9]*]]> : tensor<1x2xbf16>
// BF16: [[Q]]: "0x02000000CD3D803F"
func.func @blob(%x: tensor<?x1xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense_resource<weights> : tensor<1x2xf32>
  %y = nn.dense %x, %w : (tensor<?x1xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x04000000CDCCCC3D0000803F"
    }
  }
#-}

// -----

// One weight attribute in two functions (the Monte-Carlo entry points are
// clones of the model function) gets one 16-bit blob.
// F16-LABEL: func @shared_a
// F16: arith.constant dense_resource<[[Q:quantized[_0-9]*]]> : tensor<1x2xf16>
// F16-LABEL: func @shared_b
// F16: arith.constant dense_resource<[[Q]]> : tensor<1x2xf16>
// F16-NOT: quantized_
func.func @shared_a(%x: tensor<?x1xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense_resource<weights> : tensor<1x2xf32>
  %y = nn.dense %x, %w : (tensor<?x1xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
func.func @shared_b(%x: tensor<?x1xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense_resource<weights> : tensor<1x2xf32>
  %y = nn.dense %x, %w : (tensor<?x1xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x04000000CDCCCC3D0000803F"
    }
  }
#-}

// -----

// Not rounded: weights that are not constants, and layers that are not f32.
// F16-LABEL: func @untouched
// F16: nn.dense %{{.*}}, %{{.*}} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
// F16: nn.dense %{{.*}}, %{{.*}} : (tensor<?x2xf16>, tensor<2x2xf16>) -> tensor<?x2xf16>
func.func @untouched(%x: tensor<?x2xf32>, %w: tensor<2x2xf32>, %h: tensor<?x2xf16>) -> (tensor<?x2xf32>, tensor<?x2xf16>) {
  %y = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  %c = arith.constant dense<0.5> : tensor<2x2xf16>
  %z = nn.dense %h, %c : (tensor<?x2xf16>, tensor<2x2xf16>) -> tensor<?x2xf16>
  return %y, %z : tensor<?x2xf32>, tensor<?x2xf16>
}

// -----

// 65520 lies halfway between f16's largest value, 65504, and 65536, which
// f16 cannot hold: it rounds to infinity, so it is an error naming the
// layer and the weight. bf16 holds it.
// BF16-LABEL: func @overflow
// BF16: dense<{{\[\[}}1.000000e+00], [6.553600e+04]]> : tensor<2x1xbf16>
func.func @overflow(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense<[[1.0], [65520.0]]> : tensor<2x1xf32>
  // expected-error@+1 {{weight [1][0] = 65520 is beyond the range of f16 (largest 65504); keep f32 weights or use bf16}}
  %y = nn.dense %x, %w : (tensor<?x2xf32>, tensor<2x1xf32>) -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

// -----

// Beyond bf16's range as well (largest 3.38953139e38; f32's is 3.4028e38):
// the message names the type's own limit, and suggests bf16 only for f16.
// BF16-RANGE: error: weight [0][0] = 3.39999995e+38 is beyond the range of bf16 (largest 3.38953139e+38){{$}}
func.func @overflow_bf16(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense<3.4e38> : tensor<1x1xf32>
  // expected-error@+1 {{weight [0][0] = 3.39999995e+38 is beyond the range of f16 (largest 65504); keep f32 weights or use bf16}}
  %y = nn.dense %x, %w : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}
