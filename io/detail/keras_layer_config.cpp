// elman layers -> Keras 3 layer configs (io/detail/keras_layers.hpp): each layer's
// get_config() as Keras 3 writes it, the variable groups of its weights, and Keras' naming rules.
#include "io/detail/keras_layers.hpp"

#include <cctype>

#include "core/error.hpp"
#include "core/tensor.hpp"
#include "layers/bidirectional.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/gru.hpp"
#include "layers/lstm.hpp"
#include "layers/masking.hpp"
#include "layers/simple_rnn.hpp"
#include "layers/time_distributed.hpp"

namespace elman::detail {

namespace {

// Keras 3's serialized initializer, e.g. {"module": "keras.initializers", "class_name":
// "GlorotUniform", "config": {"seed": null}, "registered_name": null}.
Json initializer(const std::string& name)
{
    Json cfg = Json::object();
    std::string cls;
    if (name == "glorot_uniform") cls = "GlorotUniform", cfg["seed"] = nullptr;
    else if (name == "orthogonal") cls = "Orthogonal", cfg["gain"] = 1.0, cfg["seed"] = nullptr;
    else if (name == "zeros") cls = "Zeros";
    else if (name == "ones") cls = "Ones";
    else if (name == "random_uniform") cls = "RandomUniform", cfg["minval"] = -0.05, cfg["maxval"] = 0.05, cfg["seed"] = nullptr;
    else cls = "RandomNormal", cfg["mean"] = 0.0, cfg["stddev"] = 0.05, cfg["seed"] = nullptr;
    return Json{{"module", "keras.initializers"}, {"class_name", cls}, {"config", cfg}, {"registered_name", nullptr}};
}

template <class T>
Json base_config(const Module<T>& layer)
{
    return Json{{"name", layer.name()}, {"trainable", true}, {"dtype", dtype_name<T>()}};
}

// The keys every recurrent layer's get_config() has: RNN.get_config()'s (its "cell" deleted),
// then the cell's (keras/src/layers/rnn/rnn.py, simple_rnn.py, gru.py).
template <class Options>
Json recurrent_config(Json c, const Options& o)
{
    c["return_sequences"] = o.return_sequences;
    c["return_state"] = o.return_state;
    c["go_backwards"] = o.go_backwards;
    c["stateful"] = o.stateful;
    c["unroll"] = false;
    c["zero_output_for_mask"] = o.zero_output_for_mask;
    c["units"] = o.units;
    c["activation"] = to_string(o.activation);
    c["use_bias"] = o.use_bias;
    c["kernel_initializer"] = initializer(o.kernel_initializer);
    c["recurrent_initializer"] = initializer(o.recurrent_initializer);
    c["bias_initializer"] = initializer(o.bias_initializer);
    for (const char* k : {"kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
                          "kernel_constraint", "recurrent_constraint", "bias_constraint"})
        c[k] = nullptr;
    c["dropout"] = o.dropout;
    c["recurrent_dropout"] = o.recurrent_dropout;
    c["seed"] = o.seed ? Json(o.seed) : Json(nullptr);
    return c;
}

// SimpleRNN.get_config() of keras/src/layers/rnn/simple_rnn.py.
Json simple_rnn_config(Json c, const SimpleRNNOptions& o) { return recurrent_config(std::move(c), o); }

// LSTM.get_config() of keras/src/layers/rnn/lstm.py: SimpleRNN's keys, the gates' activation
// and unit_forget_bias.
Json lstm_config(Json c, const LSTMOptions& o)
{
    c = recurrent_config(std::move(c), o);
    c["recurrent_activation"] = to_string(o.recurrent_activation);
    c["unit_forget_bias"] = o.unit_forget_bias;
    return c;
}

// GRU.get_config() of keras/src/layers/rnn/gru.py: SimpleRNN's keys and the gate's.
Json gru_config(Json c, const GRUOptions& o)
{
    c = recurrent_config(std::move(c), o);
    c["recurrent_activation"] = to_string(o.recurrent_activation);
    c["reset_after"] = o.reset_after;
    return c;
}

// Dense.get_config() of keras/src/layers/core/dense.py.
Json dense_config(Json c, const DenseOptions& o)
{
    c["units"] = o.units;
    c["activation"] = to_string(o.activation);
    c["use_bias"] = o.use_bias;
    c["kernel_initializer"] = initializer("glorot_uniform");
    c["bias_initializer"] = initializer("zeros");
    for (const char* k : {"kernel_regularizer", "bias_regularizer", "kernel_constraint", "bias_constraint"}) c[k] = nullptr;
    return c;
}

}  // namespace

template <class T>
Json layer_to_keras(const Module<T>& layer, const Shape& input_shape, std::size_t batch)
{
    Json cfg = base_config(layer);
    std::string cls = layer.type();
    if (const auto* rnn = dynamic_cast<const SimpleRNN<T>*>(&layer)) {
        cfg = simple_rnn_config(std::move(cfg), rnn->options());
    } else if (const auto* lstm = dynamic_cast<const LSTM<T>*>(&layer)) {
        cfg = lstm_config(std::move(cfg), lstm->options());
    } else if (const auto* gru = dynamic_cast<const GRU<T>*>(&layer)) {
        cfg = gru_config(std::move(cfg), gru->options());
    } else if (const auto* dense = dynamic_cast<const Dense<T>*>(&layer)) {
        cfg = dense_config(std::move(cfg), dense->options());
    } else if (const auto* drop = dynamic_cast<const Dropout<T>*>(&layer)) {
        // Dropout.get_config() of keras/src/layers/regularization/dropout.py
        const DropoutOptions& o = drop->options();
        cfg["rate"] = o.rate;
        cfg["seed"] = o.seed ? Json(o.seed) : Json(nullptr);
        if (o.noise_shape.empty()) {
            cfg["noise_shape"] = nullptr;
        } else {
            Json ns = Json::array();
            for (std::size_t d : o.noise_shape) ns.push_back(d == 0 ? Json(nullptr) : Json(d));
            cfg["noise_shape"] = ns;
        }
    } else if (dynamic_cast<const Flatten<T>*>(&layer)) {
        cfg["data_format"] = "channels_last";
    } else if (const auto* m = dynamic_cast<const Masking<T>*>(&layer)) {
        cfg["mask_value"] = m->options().mask_value;
    } else if (const auto* bi = dynamic_cast<const Bidirectional<T>*>(&layer)) {
        // Bidirectional.get_config(): the forward copy of the wrapped layer, and merge_mode.
        cfg["layer"] = layer_to_keras(*bi->forward_layer(), input_shape, batch);
        const MergeMode mm = bi->options().merge_mode;
        cfg["merge_mode"] = mm == MergeMode::none ? Json(nullptr) : Json(to_string(mm));
    } else if (const auto* td = dynamic_cast<const TimeDistributed<T>*>(&layer)) {
        cfg["layer"] = layer_to_keras(*td->layer(), Shape(input_shape.begin() + (input_shape.empty() ? 0 : 1), input_shape.end()), 0);
    } else {
        throw Error("layer '" + layer.name() + "' of type " + layer.type() + " has no Keras equivalent elman can write (" +
                    supported_keras_layers() + ")");
    }
    return Json{{"module", "keras.layers"},
                {"class_name", cls},
                {"config", std::move(cfg)},
                {"registered_name", nullptr},
                {"build_config", Json{{"input_shape", keras_shape(batch, input_shape)}}}};
}

template <class T>
std::vector<std::string> keras_variable_groups(const Module<T>& layer)
{
    if (dynamic_cast<const SimpleRNN<T>*>(&layer) || dynamic_cast<const LSTM<T>*>(&layer) || dynamic_cast<const GRU<T>*>(&layer))
        return {"cell"};
    if (dynamic_cast<const Dense<T>*>(&layer)) return {""};
    if (dynamic_cast<const Bidirectional<T>*>(&layer)) return {"forward_layer/cell", "backward_layer/cell"};
    if (const auto* td = dynamic_cast<const TimeDistributed<T>*>(&layer)) {
        std::vector<std::string> out;
        for (const std::string& g : keras_variable_groups(*td->layer())) out.push_back(g.empty() ? "layer" : "layer/" + g);
        return out;
    }
    return {};
}

std::string to_snake_case(const std::string& class_name)
{
    // keras/src/utils/naming.py, the three substitutions in turn, each scanning left to right
    // for non-overlapping matches as Python's re.sub does (written out: <regex> trips GCC 12's
    // -Wmaybe-uninitialized under the sanitizers):
    //   re.sub(r"\W+", "", name)
    //   re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    //   re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    const auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
    std::string s;
    for (char c : class_name)
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') s += c;
    std::string r;
    for (std::size_t i = 0; i < s.size();) {
        if (i + 2 < s.size() && upper(s[i + 1]) && lower(s[i + 2])) {
            r += s[i];
            r += '_';
            std::size_t j = i + 1;
            r += s[j++];
            while (j < s.size() && lower(s[j])) r += s[j++];
            i = j;
        } else {
            r += s[i++];
        }
    }
    std::string out;
    for (std::size_t i = 0; i < r.size();) {
        if (i + 1 < r.size() && lower(r[i]) && upper(r[i + 1])) {
            out += r[i];
            out += '_';
            out += r[i + 1];
            i += 2;
        } else {
            out += r[i++];
        }
    }
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

Json keras_shape(std::size_t batch, const Shape& shape)
{
    Json a = Json::array();
    a.push_back(batch == 0 ? Json(nullptr) : Json(batch));
    for (std::size_t d : shape) a.push_back(d == 0 ? Json(nullptr) : Json(d));
    return a;
}

#define ELMAN_INSTANTIATE_KERAS_WRITE(T)                                            \
    template Json layer_to_keras<T>(const Module<T>&, const Shape&, std::size_t); \
    template std::vector<std::string> keras_variable_groups<T>(const Module<T>&);

ELMAN_INSTANTIATE_KERAS_WRITE(float)
ELMAN_INSTANTIATE_KERAS_WRITE(double)
#undef ELMAN_INSTANTIATE_KERAS_WRITE

}  // namespace elman::detail
