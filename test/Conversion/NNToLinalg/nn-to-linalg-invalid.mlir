// RUN: kiln-opt %s --convert-nn-to-linalg -verify-diagnostics

func.func @dropout(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error@+1 {{cannot be lowered by convert-nn-to-linalg: run nn-strip-dropout for deterministic inference}}
  %0 = nn.dropout %x {rate = 0.2 : f32} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
