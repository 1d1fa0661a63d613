//===- OneDnnPeer.cpp - oneDNN running the benchmark models ---------------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The peer in kiln-bench-compiled's run (built when Debian's libdnnl-dev is
// installed): each model's Dense layers as oneDNN matmul primitives with
// weights reordered once into the layout oneDNN picks (format_tag::any,
// i.e. prepacked), bias and activation as post-ops (SELU = elu(α) then
// linear(λ)), and a softmax primitive at the end. BatchNorm layers are
// skipped: the timed network is the folded one, whose cost is that of the
// Dense layers alone (BN folding changes weights, not shapes). One thread.
//
//===----------------------------------------------------------------------===//

#include "benchmarks/OneDnnPeer.h"

#include "schema/Model.h"

#include <dnnl.hpp>

#include <random>
#include <stdexcept>

using namespace dnnl;

extern "C" void omp_set_num_threads(int);

namespace {

using dt = memory::data_type;
using tag = memory::format_tag;

struct Step {
  primitive prim;
  std::unordered_map<int, memory> args;
};

class Network {
public:
  Network(const kiln::Model &model, int64_t batch)
      : eng(engine::kind::cpu, 0), strm(eng) {
    int64_t features = 1;
    for (int64_t d : model.inputShape)
      features *= d;
    input = memory({{batch, features}, dt::f32, tag::ab}, eng);
    memory x = input;
    for (const kiln::Layer &layer : model.layers) {
      const auto *dense = std::get_if<kiln::DenseLayer>(&layer.params);
      if (!dense)
        continue;
      int64_t in = dense->kernel.shape[0], out = dense->units;
      memory::desc src({batch, in}, dt::f32, tag::ab);
      memory::desc weightsAny({in, out}, dt::f32, tag::any);
      memory::desc bias({1, out}, dt::f32, tag::ab);
      memory::desc dst({batch, out}, dt::f32, tag::ab);
      post_ops ops;
      const kiln::Activation &act = dense->activation;
      bool softmax = false;
      switch (act.kind) {
      case kiln::ActivationKind::Relu:
        ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
        break;
      case kiln::ActivationKind::Elu:
        ops.append_eltwise(1.f, algorithm::eltwise_elu, act.alpha, 0.f);
        break;
      case kiln::ActivationKind::Selu:
        ops.append_eltwise(1.f, algorithm::eltwise_elu, act.alpha, 0.f);
        ops.append_eltwise(1.f, algorithm::eltwise_linear, act.scale, 0.f);
        break;
      case kiln::ActivationKind::Softmax:
        softmax = true;
        break;
      case kiln::ActivationKind::Identity:
        break;
      default:
        throw std::runtime_error("oneDNN peer: unsupported activation");
      }
      primitive_attr attr;
      attr.set_post_ops(ops);
      matmul::primitive_desc pd(
          matmul::desc(src, weightsAny, dense->useBias ? bias : memory::desc(),
                       dst),
          attr, eng);
      // Weights reordered once, outside the timed loop.
      std::vector<float> w = dense->kernel.toF32();
      memory user({{in, out}, dt::f32, tag::ab}, eng, w.data());
      memory packed(pd.weights_desc(), eng);
      reorder(user, packed).execute(strm, user, packed);
      strm.wait();
      memory y(dst, eng);
      Step step{
          matmul(pd),
          {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, packed}, {DNNL_ARG_DST, y}}};
      if (dense->useBias) {
        biases.push_back(dense->bias->toF32());
        memory b(bias, eng);
        std::copy(biases.back().begin(), biases.back().end(),
                  static_cast<float *>(b.get_data_handle()));
        step.args[DNNL_ARG_BIAS] = b;
      }
      steps.push_back(std::move(step));
      x = y;
      if (softmax) {
        softmax_forward::primitive_desc spd(
            softmax_forward::desc(prop_kind::forward_inference, dst, 1), eng);
        memory z(dst, eng);
        steps.push_back(
            {softmax_forward(spd), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, z}}});
        x = z;
      }
    }
  }

  float *inputData() { return static_cast<float *>(input.get_data_handle()); }

  void run() {
    for (Step &s : steps)
      s.prim.execute(strm, s.args);
    strm.wait();
  }

private:
  engine eng;
  stream strm;
  memory input;
  std::vector<Step> steps;
  std::vector<std::vector<float>> biases;
};

void runOneDnn(benchmark::State &state, const kiln::Model *model,
               double flopsPerExample) {
  int64_t batch = state.range(0);
  Network net(*model, batch);
  int64_t features = 1;
  for (int64_t d : model->inputShape)
    features *= d;
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> dist(0.f, 1.f);
  for (int64_t i = 0; i < batch * features; ++i)
    net.inputData()[i] = dist(gen);
  for (auto _ : state)
    net.run();
  state.counters["GFLOP/s"] =
      benchmark::Counter(flopsPerExample * batch * state.iterations() / 1e9,
                         benchmark::Counter::kIsRate);
}

} // namespace

void kiln::bench::registerOneDnnBenchmarks(
    const std::string &modelDir, const std::vector<PeerModel> &models) {
  omp_set_num_threads(1);
  static std::vector<std::unique_ptr<kiln::Model>> loaded;
  for (const PeerModel &m : models) {
    auto model = std::make_unique<kiln::Model>();
    kiln::Status s = kiln::loadModel(modelDir + "/" + m.file, *model);
    if (!s.ok())
      throw std::runtime_error(s.message());
    std::string name = std::string("BM_oneDNN/") + m.name;
    benchmark::RegisterBenchmark(name.c_str(), runOneDnn, model.get(),
                                 m.flopsPerExample)
        ->Arg(1)
        ->Arg(64)
        ->ArgName("batch")
        ->Unit(benchmark::kMicrosecond);
    loaded.push_back(std::move(model));
  }
}
