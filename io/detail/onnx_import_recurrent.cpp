// import_onnx's recurrent nodes (io/detail/onnx_importer.hpp): ONNX's RNN, GRU and LSTM, each
// turned into the Keras layer it computes (SimpleRNN, GRU, LSTM) with its weights reordered and
// transposed into Keras' layout. The equations are ONNX's (onnx/defs/rnn/defs.cc).
#include <cmath>

#include <xtensor/xview.hpp>

#include "io/detail/onnx_importer.hpp"
#include "layers/gru.hpp"
#include "layers/lstm.hpp"
#include "layers/simple_rnn.hpp"

namespace elman::detail::onnx_importer {

// A recurrent node's activations: its "activations" attribute (or `defaults`), each taking its
// alpha and beta, in order, from activation_alpha / activation_beta when it has them (ONNX's
// defaults otherwise). Tanh, Relu, Sigmoid, Affine(1, 0) (linear) and HardSigmoid with Keras 3's
// (1/6, 0.5) or Keras 2's (0.2, 0.5) parameters.
template <class T>
std::vector<Activation> Importer<T>::activations(const onnx::NodeProto& n, const std::vector<Activation>& defaults) const
{
    const auto* a = attr(n, "activations");
    if (!a) return defaults;
    if (static_cast<std::size_t>(a->strings_size()) != defaults.size())
        fail(n, "expects " + std::to_string(defaults.size()) + " activation(s), got " + std::to_string(a->strings_size()));
    const auto* alphas = attr(n, "activation_alpha");
    const auto* betas = attr(n, "activation_beta");
    int next = 0;
    std::vector<Activation> out;
    for (const std::string& s : a->strings()) {
        const bool takes = s == "Affine" || s == "HardSigmoid";
        const float alpha = takes && alphas && next < alphas->floats_size() ? alphas->floats(next) : (s == "HardSigmoid" ? 0.2f : 1.0f);
        const float beta = takes && betas && next < betas->floats_size() ? betas->floats(next) : (s == "HardSigmoid" ? 0.5f : 0.0f);
        next += takes ? 1 : 0;
        if (s == "Tanh") out.push_back(Activation::tanh);
        else if (s == "Relu") out.push_back(Activation::relu);
        else if (s == "Sigmoid") out.push_back(Activation::sigmoid);
        else if (s == "Affine" && alpha == 1.0f && beta == 0.0f) out.push_back(Activation::linear);
        else if (s == "HardSigmoid" && std::abs(alpha - 1.0f / 6.0f) < 1e-6f && beta == 0.5f) out.push_back(Activation::hard_sigmoid);
        else if (s == "HardSigmoid" && std::abs(alpha - 0.2f) < 1e-6f && beta == 0.5f) out.push_back(Activation::hard_sigmoid_keras2);
        else fail(n, "activation '" + s + "' (alpha " + std::to_string(alpha) + ", beta " + std::to_string(beta) +
                     ") is not supported (Tanh, Relu, Sigmoid, Affine(1, 0), HardSigmoid(1/6, 0.5) or (0.2, 0.5))");
    }
    return out;
}

// The checks every recurrent node (RNN, GRU, LSTM) shares: X, W and R given, X in the layout the
// node declares (which fixes the graph input's layout when X is the input), one direction
// (forward or reverse), no clip. Returns whether the node runs in reverse.
template <class T>
bool Importer<T>::recurrent_input(const onnx::NodeProto& n)
{
    if (n.input_size() < 3) fail(n, "needs X, W and R");
    const std::int64_t layout = attr_i(n, "layout", 0);
    if (at_input_) {
        if (layout == 0) time_major_input_ = true;
        layout_ = layout == 0 ? Layout::time_major : Layout::batch_first;
    }
    if ((layout == 0 && layout_ != Layout::time_major) || (layout == 1 && layout_ != Layout::batch_first))
        fail(n, "its input X is not in the layout " + std::to_string(layout) + " it declares");
    const auto* dir = attr(n, "direction");
    const std::string direction = dir ? dir->s() : "forward";
    if (direction != "forward" && direction != "reverse") fail(n, "direction '" + direction + "' is not supported (forward or reverse)");
    if (attr(n, "clip")) fail(n, "the clip attribute is not supported");
    rnn_layout_ = static_cast<int>(layout);
    return direction == "reverse";
}

// After a recurrent node: its Y (a sequence, flipped back later when reverse) or its Y_h is
// the value in hand.
template <class T>
void Importer<T>::recurrent_output(const onnx::NodeProto& n, std::size_t features, bool y_used, bool backwards)
{
    if (time_major_input_features_ == 0) time_major_input_features_ = features;
    flip_pending_ = y_used && backwards;
    layout_ = y_used ? Layout::rnn_y : Layout::rnn_y_h;
    cur_ = y_used ? n.output(0) : n.output(1);
}

// RNN: W [1,U,F], R [1,U,U], B [1,2U] = [Wb, Rb] -> SimpleRNN kernel = Wᵀ, recurrent_kernel =
// Rᵀ, bias = Wb + Rb (onnx/defs/rnn/defs.cc: H_t = f(X_t·Wᵀ + H_{t−1}·Rᵀ + Wb + Rb)).
// GRU: W [1,3U,F], R [1,3U,U], B [1,6U], gates z, r, h as Keras' -> GRU kernel = Wᵀ,
// recurrent_kernel = Rᵀ; linear_before_reset = 1 is Keras' reset_after with bias [Wb; Rb]
// [2,3U], 0 is reset_after = false with bias Wb + Rb [3U] (the two biases only ever add up).
template <class T>
void Importer<T>::recurrent(const onnx::NodeProto& n, Sequential<T>& model)
{
    const bool is_gru = n.op_type() == "GRU";
    const std::size_t gates = is_gru ? 3 : 1;
    const bool backwards = recurrent_input(n);
    const std::vector<Activation> acts =
        is_gru ? activations(n, {Activation::sigmoid, Activation::tanh}) : activations(n, {Activation::tanh});
    if (n.input_size() > 4 && !arg(n, 4).empty()) fail(n, "sequence_lens (variable-length sequences) is not supported");
    if (n.input_size() > 5 && !is_zero(arg(n, 5))) fail(n, "a non-zero initial_h is not supported");
    const Tensor<double> w = constant(n, arg(n, 1)), r = constant(n, arg(n, 2));
    const std::size_t u = w.dimension() == 3 ? w.shape()[1] / gates : 0;
    if (w.dimension() != 3 || w.shape()[0] != 1 || u == 0 || w.shape()[1] != gates * u || r.dimension() != 3 ||
        r.shape() != std::vector<std::size_t>{1, gates * u, u})
        fail(n, "W " + shape_str(w.shape()) + " and R " + shape_str(r.shape()) + " are not [1," + (is_gru ? "3U" : "U") + ",F] and [1," +
                    (is_gru ? "3U" : "U") + ",U]");
    const std::size_t f = w.shape()[2];
    const std::int64_t hs = attr_i(n, "hidden_size", static_cast<std::int64_t>(u));
    if (hs != static_cast<std::int64_t>(u)) fail(n, "hidden_size " + std::to_string(hs) + " does not match W " + shape_str(w.shape()));
    const bool has_b = n.input_size() > 3 && !arg(n, 3).empty();
    const bool y_used = n.output_size() > 0 && used(n.output(0));
    const bool h_used = n.output_size() > 1 && used(n.output(1));
    if (y_used == h_used) fail(n, y_used ? "both Y and Y_h are used; elman reads a single chain" : "neither Y nor Y_h is used");
    const bool reset_after = attr_i(n, "linear_before_reset", 0) != 0;
    std::shared_ptr<RecurrentLayer<T>> layer;
    if (is_gru)
        layer = std::make_shared<GRU<T>>(GRUOptions{.units = u, .activation = acts[1], .recurrent_activation = acts[0],
                                                    .use_bias = has_b, .reset_after = reset_after,
                                                    .return_sequences = y_used, .go_backwards = backwards});
    else
        layer = std::make_shared<SimpleRNN<T>>(SimpleRNNOptions{.units = u, .activation = acts[0], .use_bias = has_b,
                                                                .return_sequences = y_used, .go_backwards = backwards});
    Tensor<double> k = xt::transpose(xt::view(w, 0));
    Tensor<double> rk = xt::transpose(xt::view(r, 0));
    std::vector<Tensor<T>> weights{Tensor<T>(k), Tensor<T>(rk)};
    if (has_b) {
        const Tensor<double> b = constant(n, arg(n, 3));
        if (b.dimension() != 2 || b.shape()[0] != 1 || b.shape()[1] != 2 * gates * u)
            fail(n, "B " + shape_str(b.shape()) + " is not [1," + std::to_string(2 * gates) + "U]");
        const std::size_t gu = gates * u;
        Tensor<T> bias = Tensor<T>::from_shape(reset_after ? Shape{2, gu} : Shape{gu});
        for (std::size_t i = 0; i < gu; ++i) {
            if (reset_after) {
                bias(0, i) = static_cast<T>(b(0, i));
                bias(1, i) = static_cast<T>(b(0, gu + i));
            } else {
                bias(i) = static_cast<T>(b(0, i) + b(0, gu + i));
            }
        }
        weights.push_back(bias);
    }
    if (f == 0) fail(n, "W has no input features");
    layer->set_weights(weights);
    model.add(layer);
    recurrent_output(n, f, y_used, backwards);
}

// LSTM (onnx/defs/rnn/defs.cc): W [1,4U,F], R [1,4U,U], B [1,8U] = [Wb, Rb], gate blocks i, o,
// f, c -> Keras' LSTM with kernel = Wᵀ and recurrent_kernel = Rᵀ, each with its blocks put in
// Keras' order i, f, c, o, and bias = Wb + Rb likewise; activations (f, g, h) ->
// (recurrent_activation, activation), Keras using one function for g and h. Peepholes (P),
// input_forget, a non-zero initial_h or initial_c and the cell state Y_c as output have no
// Keras equivalent and are errors.
template <class T>
void Importer<T>::lstm(const onnx::NodeProto& n, Sequential<T>& model)
{
    const bool backwards = recurrent_input(n);
    if (attr_i(n, "input_forget", 0) != 0) fail(n, "input_forget = 1 (the forget gate coupled to the input gate) is not supported");
    const std::vector<Activation> acts = activations(n, {Activation::sigmoid, Activation::tanh, Activation::tanh});
    if (n.input_size() > 7 && !arg(n, 7).empty()) fail(n, "peepholes (input P) are not supported: Keras' LSTM has none");
    if (acts[1] != acts[2]) fail(n, "activations g (" + to_string(acts[1]) + ") and h (" + to_string(acts[2]) + ") differ; Keras' LSTM uses one activation for both");
    if (n.input_size() > 4 && !arg(n, 4).empty()) fail(n, "sequence_lens (variable-length sequences) is not supported");
    if (n.input_size() > 5 && !is_zero(arg(n, 5))) fail(n, "a non-zero initial_h is not supported");
    if (n.input_size() > 6 && !is_zero(arg(n, 6))) fail(n, "a non-zero initial_c is not supported");
    const Tensor<double> w = constant(n, arg(n, 1)), r = constant(n, arg(n, 2));
    const std::size_t u = w.dimension() == 3 ? w.shape()[1] / 4 : 0;
    if (w.dimension() != 3 || w.shape()[0] != 1 || u == 0 || w.shape()[1] != 4 * u || w.shape()[2] == 0 ||
        r.shape() != std::vector<std::size_t>{1, 4 * u, u})
        fail(n, "W " + shape_str(w.shape()) + " and R " + shape_str(r.shape()) + " are not [1,4U,F] and [1,4U,U]");
    const std::size_t f = w.shape()[2];
    if (attr_i(n, "hidden_size", static_cast<std::int64_t>(u)) != static_cast<std::int64_t>(u))
        fail(n, "hidden_size " + std::to_string(attr_i(n, "hidden_size", 0)) + " does not match W " + shape_str(w.shape()));
    const bool y_used = n.output_size() > 0 && used(n.output(0));
    const bool h_used = n.output_size() > 1 && used(n.output(1));
    if (n.output_size() > 2 && used(n.output(2))) fail(n, "its cell state Y_c is used; elman passes on the output h only");
    if (y_used == h_used) fail(n, y_used ? "both Y and Y_h are used; elman reads a single chain" : "neither Y nor Y_h is used");
    const bool has_b = n.input_size() > 3 && !arg(n, 3).empty();
    auto layer = std::make_shared<LSTM<T>>(LSTMOptions{.units = u, .activation = acts[1], .recurrent_activation = acts[0],
                                                       .use_bias = has_b, .return_sequences = y_used, .go_backwards = backwards});
    constexpr std::size_t onnx_block[4] = {0, 2, 3, 1};  // Keras gate j (i, f, c, o) is ONNX block
    // kernel[c, j·U + q] = W[0, block(j)·U + q, c], the same for R
    const auto keras_weight = [&](const Tensor<double>& m, std::size_t rows) {
        Tensor<T> k = Tensor<T>::from_shape({rows, 4 * u});
        for (std::size_t j = 0; j < 4; ++j)
            for (std::size_t q = 0; q < u; ++q)
                for (std::size_t c = 0; c < rows; ++c) k(c, j * u + q) = static_cast<T>(m(0, onnx_block[j] * u + q, c));
        return k;
    };
    std::vector<Tensor<T>> weights{keras_weight(w, f), keras_weight(r, u)};
    if (has_b) {
        const Tensor<double> b = constant(n, arg(n, 3));
        if (b.shape() != std::vector<std::size_t>{1, 8 * u}) fail(n, "B " + shape_str(b.shape()) + " is not [1,8U]");
        Tensor<T> bias = Tensor<T>::from_shape({4 * u});
        for (std::size_t j = 0; j < 4; ++j)
            for (std::size_t q = 0; q < u; ++q) bias(j * u + q) = static_cast<T>(b(0, onnx_block[j] * u + q) + b(0, 4 * u + onnx_block[j] * u + q));
        weights.push_back(bias);
    }
    layer->set_weights(weights);
    model.add(layer);
    recurrent_output(n, f, y_used, backwards);
}

// The walk (io/onnx_import.cpp) calls these for float and double models.
template void Importer<float>::recurrent(const onnx::NodeProto&, Sequential<float>&);
template void Importer<double>::recurrent(const onnx::NodeProto&, Sequential<double>&);
template void Importer<float>::lstm(const onnx::NodeProto&, Sequential<float>&);
template void Importer<double>::lstm(const onnx::NodeProto&, Sequential<double>&);

}  // namespace elman::detail::onnx_importer
