// The iris-mlp example model (examples/models/iris-mlp.json) written by hand
// in the `nn` dialect, with small splat weights. scripts/demo.sh runs
// `kiln-opt --canonicalize` over it.
func.func @iris_mlp(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %mean = arith.constant dense<[5.84, 3.05, 3.76, 1.20]> : tensor<4xf32>
  %std = arith.constant dense<[0.83, 0.43, 1.76, 0.76]> : tensor<4xf32>
  %w0 = arith.constant dense<0.1> : tensor<4x8xf32>
  %b0 = arith.constant dense<0.0> : tensor<8xf32>
  %gamma = arith.constant dense<1.0> : tensor<8xf32>
  %beta = arith.constant dense<0.0> : tensor<8xf32>
  %mu = arith.constant dense<0.1> : tensor<8xf32>
  %var = arith.constant dense<0.9> : tensor<8xf32>
  %w1 = arith.constant dense<0.2> : tensor<8x3xf32>
  %b1 = arith.constant dense<0.0> : tensor<3xf32>
  %0 = nn.normalize %x, %mean, %std : tensor<?x4xf32>, tensor<4xf32> -> tensor<?x4xf32>
  %1 = nn.dense %0, %w0, %b0 {activation = #nn.activation<elu, alpha = 1.0>} : (tensor<?x4xf32>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %2 = nn.batch_norm %1, %gamma, %beta, %mu, %var {epsilon = 1.0e-3 : f32} : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
  %3 = nn.dropout %2 {rate = 0.2 : f32, kind = #nn.dropout_kind<standard>} : tensor<?x8xf32>
  %4 = nn.dense %3, %w1, %b1 {activation = #nn.activation<softmax>} : (tensor<?x8xf32>, tensor<8x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %4 : tensor<?x3xf32>
}
