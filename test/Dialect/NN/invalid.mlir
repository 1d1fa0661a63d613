// One case per user-facing verifier message of the nn dialect.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @dense_element_types(%x: tensor<?x4xf16>, %w: tensor<4x2xf32>) {
  // expected-error@+1 {{input, weight, bias and output must have the same element type (or f32 with f16/bf16 weights)}}
  %0 = nn.dense %x, %w : (tensor<?x4xf16>, tensor<4x2xf32>) -> tensor<?x2xf16>
  return
}

// -----

// 16-bit weights are for f32 layers only.
func.func @dense_narrow_weight_f16_layer(%x: tensor<?x4xf16>, %w: tensor<4x2xbf16>) {
  // expected-error@+1 {{input, weight, bias and output must have the same element type (or f32 with f16/bf16 weights)}}
  %0 = nn.dense %x, %w : (tensor<?x4xf16>, tensor<4x2xbf16>) -> tensor<?x2xf16>
  return
}

// -----

// The bias stays in the layer's type.
func.func @dense_narrow_bias(%x: tensor<?x4xf32>, %w: tensor<4x2xf16>, %b: tensor<2xf16>) {
  // expected-error@+1 {{input, weight, bias and output must have the same element type (or f32 with f16/bf16 weights)}}
  %0 = nn.dense %x, %w, %b : (tensor<?x4xf32>, tensor<4x2xf16>, tensor<2xf16>) -> tensor<?x2xf32>
  return
}

// -----

func.func @dense_dynamic_weight(%x: tensor<?x4xf32>, %w: tensor<?x2xf32>) {
  // expected-error@+1 {{weight must have a static shape}}
  %0 = nn.dense %x, %w : (tensor<?x4xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @dense_features(%x: tensor<?x5xf32>, %w: tensor<4x2xf32>) {
  // expected-error@+1 {{input has 5 features, but weight expects 4}}
  %0 = nn.dense %x, %w : (tensor<?x5xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @dense_units(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>) {
  // expected-error@+1 {{output has 3 units, but weight has 2}}
  %0 = nn.dense %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x3xf32>
  return
}

// -----

func.func @dense_batch(%x: tensor<8x4xf32>, %w: tensor<4x2xf32>) {
  // expected-error@+1 {{output batch size 7 differs from input batch size 8}}
  %0 = nn.dense %x, %w : (tensor<8x4xf32>, tensor<4x2xf32>) -> tensor<7x2xf32>
  return
}

// -----

func.func @dense_bias(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>, %b: tensor<3xf32>) {
  // expected-error@+1 {{bias has 3 elements, expected 2}}
  %0 = nn.dense %x, %w, %b : (tensor<?x4xf32>, tensor<4x2xf32>, tensor<3xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @dense_prelu_without_slope(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>) {
  // expected-error@+1 {{prelu requires a slope operand}}
  %0 = nn.dense %x, %w {activation = #nn.activation<prelu>} : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @dense_slope_without_prelu(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>, %s: tensor<2xf32>) {
  // expected-error@+1 {{slope operand is only allowed with prelu}}
  %0 = nn.dense %x, %w slope %s {activation = #nn.activation<relu>} : (tensor<?x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @dense_slope_size(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>, %s: tensor<3xf32>) {
  // expected-error@+1 {{slope has 3 elements, expected 2}}
  %0 = nn.dense %x, %w slope %s {activation = #nn.activation<prelu>} : (tensor<?x4xf32>, tensor<4x2xf32>, tensor<3xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @dense_rank(%x: tensor<4xf32>, %w: tensor<4x2xf32>) {
  // expected-error@+1 {{operand #0 must be 2D tensor}}
  %0 = nn.dense %x, %w : (tensor<4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @batch_norm_rank(%x: tensor<8xf32>, %p: tensor<8xf32>) {
  // expected-error@+1 {{input must have a batch and a feature dimension}}
  %0 = nn.batch_norm %x, %p, %p, %p, %p : tensor<8xf32>, tensor<8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @batch_norm_params(%x: tensor<?x8xf32>, %p: tensor<7xf32>) {
  // expected-error@+1 {{parameters have 7 elements, but the last input dimension is 8}}
  %0 = nn.batch_norm %x, %p, %p, %p, %p : tensor<?x8xf32>, tensor<7xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @batch_norm_epsilon(%x: tensor<?x8xf32>, %p: tensor<8xf32>) {
  // expected-error@+1 {{epsilon must be finite and > 0}}
  %0 = nn.batch_norm %x, %p, %p, %p, %p {epsilon = 0.0 : f32} : tensor<?x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @activation_rank(%x: tensor<f32>) {
  // expected-error@+1 {{input must have at least one dimension}}
  %0 = nn.activation %x {activation = #nn.activation<relu>} : tensor<f32>
  return
}

// -----

func.func @activation_slope(%x: tensor<?x4xf32>, %s: tensor<5xf32>) {
  // expected-error@+1 {{slope has 5 elements, expected 4}}
  %0 = nn.activation %x slope %s {activation = #nn.activation<prelu>} : tensor<?x4xf32>, tensor<5xf32>
  return
}

// -----

func.func @dropout_rate(%x: tensor<?x4xf32>) {
  // expected-error@+1 {{rate must be in [0, 1), got 1}}
  %0 = nn.dropout %x {rate = 1.0 : f32} : tensor<?x4xf32>
  return
}

// -----

// The Monte-Carlo lowering's integer keep threshold relies on rate < 1.
func.func @mc_dropout_rate(%x: tensor<?x4xf32>, %seed: i64, %s: i32, %rows: index) {
  // expected-error@+1 {{rate must be in [0, 1), got 1}}
  %0 = nn.mc_dropout %x, %seed, %s, %rows {rate = 1.0 : f32} : tensor<?x4xf32>, i64, i32
  return
}

// -----

// Its units index the masks: they must be static.
func.func @mc_dropout_dynamic_features(%x: tensor<?x?xf32>, %seed: i64, %s: i32, %rows: index) {
  // expected-error@+1 {{needs a batch and static feature dimensions, got 'tensor<?x?xf32>'}}
  %0 = nn.mc_dropout %x, %seed, %s, %rows {rate = 0.5 : f32} : tensor<?x?xf32>, i64, i32
  return
}

// -----

// Its lowering applies masks to f32 rows: anything else is reported here,
// not as a failed lowering.
func.func @mc_dropout_f16(%x: tensor<?x4xf16>, %seed: i64, %s: i32, %rows: index) {
  // expected-error@+1 {{needs f32 elements, got 'f16'}}
  %0 = nn.mc_dropout %x, %seed, %s, %rows {rate = 0.5 : f32} : tensor<?x4xf16>, i64, i32
  return
}

// -----

// nn.mc_dropout_stack: f32 rows, the input's features, a positive bound
// on the samples, a rate in [0, 1).
func.func @mc_dropout_stack_f16(%x: tensor<?x4xf16>, %seed: i64, %s: i32, %n: index) {
  // expected-error@+1 {{needs f32 elements, got 'f16' and 'f16'}}
  %0 = nn.mc_dropout_stack %x, %seed, %s, %n {rate = 0.5 : f32} : (tensor<?x4xf16>, i64, i32, index) -> tensor<?x4xf16>
  return
}

// -----

func.func @mc_dropout_stack_features(%x: tensor<?x4xf32>, %seed: i64, %s: i32, %n: index) {
  // expected-error@+1 {{output dimension 1 is 5, but the input's is 4}}
  %0 = nn.mc_dropout_stack %x, %seed, %s, %n {rate = 0.5 : f32} : (tensor<?x4xf32>, i64, i32, index) -> tensor<?x5xf32>
  return
}

// -----

func.func @mc_dropout_stack_rows(%x: tensor<?x4xf32>, %seed: i64, %s: i32, %n: index) {
  // expected-error@+1 {{output dimension 0 (samples × rows) must be dynamic}}
  %0 = nn.mc_dropout_stack %x, %seed, %s, %n {rate = 0.5 : f32} : (tensor<?x4xf32>, i64, i32, index) -> tensor<8x4xf32>
  return
}

// -----

func.func @mc_dropout_stack_dynamic_features(%x: tensor<?x?xf32>, %seed: i64, %s: i32, %n: index) {
  // expected-error@+1 {{needs a batch and static feature dimensions, got 'tensor<?x?xf32>'}}
  %0 = nn.mc_dropout_stack %x, %seed, %s, %n {rate = 0.5 : f32} : (tensor<?x?xf32>, i64, i32, index) -> tensor<?x8xf32>
  return
}

// -----

func.func @mc_dropout_stack_rate(%x: tensor<?x4xf32>, %seed: i64, %s: i32, %n: index) {
  // expected-error@+1 {{rate must be in [0, 1), got 1}}
  %0 = nn.mc_dropout_stack %x, %seed, %s, %n {rate = 1.0 : f32} : (tensor<?x4xf32>, i64, i32, index) -> tensor<?x4xf32>
  return
}

// -----

func.func @flatten_element_type(%x: tensor<?x2x2xf32>) {
  // expected-error@+1 {{input and output element types differ}}
  %0 = nn.flatten %x : tensor<?x2x2xf32> -> tensor<?x4xf16>
  return
}

// -----

func.func @flatten_rank(%x: tensor<4xf32>) {
  // expected-error@+1 {{input must have a batch and a feature dimension}}
  %0 = nn.flatten %x : tensor<4xf32> -> tensor<1x4xf32>
  return
}

// -----

func.func @flatten_batch(%x: tensor<3x2x2xf32>) {
  // expected-error@+1 {{flatten must keep the batch dimension}}
  %0 = nn.flatten %x : tensor<3x2x2xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @flatten_dynamic_features(%x: tensor<?x?x2xf32>) {
  // expected-error@+1 {{feature dimensions must be static}}
  %0 = nn.flatten %x : tensor<?x?x2xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @flatten_count(%x: tensor<?x2x3xf32>) {
  // expected-error@+1 {{output has 5 features, expected 6}}
  %0 = nn.flatten %x : tensor<?x2x3xf32> -> tensor<?x5xf32>
  return
}

// -----

func.func @normalize_rank(%x: tensor<4xf32>, %m: tensor<4xf32>) {
  // expected-error@+1 {{input must have a batch and a feature dimension}}
  %0 = nn.normalize %x, %m, %m : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @normalize_shape(%x: tensor<?x4xf32>, %m: tensor<5xf32>) {
  // expected-error@+1 {{mean and std must have the shape of one example}}
  %0 = nn.normalize %x, %m, %m : tensor<?x4xf32>, tensor<5xf32> -> tensor<?x4xf32>
  return
}

// -----

// Attribute verifier and parser.

func.func @missing_param(%x: tensor<?x4xf32>) {
  // expected-error@+1 {{leaky_relu requires parameter 'alpha'}}
  %0 = nn.activation %x {activation = #nn.activation<leaky_relu>} : tensor<?x4xf32>
  return
}

// -----

func.func @extra_param(%x: tensor<?x4xf32>) {
  // expected-error@+1 {{relu takes no parameter 'alpha'}}
  %0 = nn.activation %x {activation = #nn.activation<relu, alpha = 1.0>} : tensor<?x4xf32>
  return
}

// -----

func.func @infinite_param(%x: tensor<?x4xf32>) {
  // expected-error@+1 {{parameter 'alpha' must be finite}}
  %0 = nn.activation %x {activation = #nn.activation<elu, alpha = 0x7FF0000000000000>} : tensor<?x4xf32>
  return
}

// -----

func.func @leaky_alpha(%x: tensor<?x4xf32>) {
  // expected-error@+1 {{leaky_relu alpha must be >= 0}}
  %0 = nn.activation %x {activation = #nn.activation<leaky_relu, alpha = -0.1>} : tensor<?x4xf32>
  return
}

// -----

func.func @elu_alpha(%x: tensor<?x4xf32>) {
  // expected-error@+1 {{elu alpha must be > 0}}
  %0 = nn.activation %x {activation = #nn.activation<elu, alpha = 0.0>} : tensor<?x4xf32>
  return
}

// -----

func.func @selu_params(%x: tensor<?x4xf32>) {
  // expected-error@+1 {{selu scale and alpha must be > 0}}
  %0 = nn.activation %x {activation = #nn.activation<selu, scale = -1.0, alpha = 1.67>} : tensor<?x4xf32>
  return
}

// -----

func.func @rrelu_range(%x: tensor<?x4xf32>) {
  // expected-error@+1 {{rrelu needs 0 <= lower <= upper <= 1}}
  %0 = nn.activation %x {activation = #nn.activation<rrelu, lower = 0.5, upper = 0.25>} : tensor<?x4xf32>
  return
}

// -----

func.func @unknown_kind(%x: tensor<?x4xf32>) {
  // expected-error@+1 {{unknown activation 'relu6'}}
  %0 = nn.activation %x {activation = #nn.activation<relu6>} : tensor<?x4xf32>
  return
}

// -----

func.func @unknown_param(%x: tensor<?x4xf32>) {
  // expected-error@+1 {{unknown activation parameter 'beta'}}
  %0 = nn.activation %x {activation = #nn.activation<elu, beta = 1.0>} : tensor<?x4xf32>
  return
}

// -----

func.func @duplicate_param(%x: tensor<?x4xf32>) {
  // expected-error@+1 {{parameter 'alpha' given twice}}
  %0 = nn.activation %x {activation = #nn.activation<elu, alpha = 1.0, alpha = 2.0>} : tensor<?x4xf32>
  return
}
