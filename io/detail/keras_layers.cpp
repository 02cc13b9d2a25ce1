// Keras layer configs -> elman layers (io/detail/keras_layers.hpp): one reader per Keras class,
// with Keras 1, 2 and 3 key names, and the weight count a model needs before it is built.
#include "io/detail/keras_layers.hpp"

#include <cmath>
#include <cctype>

#include "core/error.hpp"
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

// Typed access to one layer's config; errors name the file and the layer.
struct Config {
    const Json& c;
    std::string where;
    KerasDialect dialect = {};

    [[noreturn]] void fail(const std::string& what) const { throw Error(where + ": " + what); }
    bool has(const char* key) const { return c.is_object() && c.contains(key) && !c.at(key).is_null(); }
    // The first of `keys` present (Keras 1 names come second, e.g. units / output_dim).
    const Json* find(std::initializer_list<const char*> keys) const
    {
        for (const char* k : keys)
            if (has(k)) return &c.at(k);
        return nullptr;
    }
    std::size_t positive(std::initializer_list<const char*> keys) const
    {
        const Json* v = find(keys);
        const std::string name = *keys.begin();
        if (!v) fail("config has no \"" + name + "\"");
        if (v->is_number_unsigned() && v->get<std::uint64_t>() > 0 && v->get<std::uint64_t>() < (1u << 24))
            return v->get<std::size_t>();
        if (v->is_number_float() && v->get<double>() >= 1 && v->get<double>() < (1 << 24) &&
            std::floor(v->get<double>()) == v->get<double>())
            return static_cast<std::size_t>(v->get<double>());
        fail("\"" + name + "\" must be a positive integer below 2^24, got " + v->dump());
    }
    bool flag(std::initializer_list<const char*> keys, bool fallback) const
    {
        const Json* v = find(keys);
        if (!v) return fallback;
        if (!v->is_boolean()) fail("\"" + std::string(*keys.begin()) + "\" must be true or false, got " + v->dump());
        return v->get<bool>();
    }
    double number(std::initializer_list<const char*> keys, double fallback) const
    {
        const Json* v = find(keys);
        if (!v) return fallback;
        if (!v->is_number()) fail("\"" + std::string(*keys.begin()) + "\" must be a number, got " + v->dump());
        return v->get<double>();
    }
    // "tanh", null (linear), or a serialized function {"class_name": "function", "config": "tanh"}.
    Activation activation(const char* key, Activation fallback) const
    {
        if (!c.is_object() || !c.contains(key)) return fallback;
        const Json& v = c.at(key);
        if (v.is_null()) return Activation::linear;
        std::string name;
        if (v.is_string()) name = v.get<std::string>();
        else if (v.is_object() && v.contains("config") && v.at("config").is_string()) name = v.at("config").get<std::string>();
        else fail("\"" + std::string(key) + "\" is not an activation name: " + v.dump());
        if (name == "hard_sigmoid" && dialect.keras2_hard_sigmoid) return Activation::hard_sigmoid_keras2;
        try {
            return parse_activation(name);
        } catch (const Error&) {
            fail("activation '" + name + "' is not supported (elman has tanh, relu, sigmoid, linear, softmax, "
                 "hard_sigmoid)");
        }
    }
};

// The options every recurrent layer reads the same way. dropout / recurrent_dropout (Keras 1:
// dropout_W / dropout_U) act only in training; unroll changes how Keras loops, not the numbers.
template <class Options>
void read_recurrent_options(const Config& c, Options& o)
{
    if (c.flag({"time_major"}, false)) c.fail("time_major=True (time-first input) is not supported");
    o.units = c.positive({"units", "output_dim"});
    o.activation = c.activation("activation", Activation::tanh);
    o.use_bias = c.flag({"use_bias", "bias"}, true);
    o.return_sequences = c.flag({"return_sequences"}, false);
    o.return_state = c.flag({"return_state"}, false);
    o.go_backwards = c.flag({"go_backwards"}, false);
    o.stateful = c.flag({"stateful"}, false);
    o.dropout = c.number({"dropout", "dropout_W"}, 0.0);
    o.recurrent_dropout = c.number({"recurrent_dropout", "dropout_U"}, 0.0);
    o.zero_output_for_mask = c.flag({"zero_output_for_mask"}, false);
    if (c.has("seed") && c.c.at("seed").is_number_unsigned()) o.seed = c.c.at("seed").get<std::uint64_t>();
}

template <class T>
std::shared_ptr<Module<T>> read_simple_rnn(const Config& c)
{
    SimpleRNNOptions o;
    read_recurrent_options(c, o);
    return std::make_shared<SimpleRNN<T>>(o);
}

// LSTM of Keras 2 and 3 (recurrent_activation, unit_forget_bias, implementation: how Keras
// loops, not the numbers) and of Keras 1 (output_dim, inner_activation, dropout_W/_U,
// forget_bias_init: only the initialisation).
template <class T>
std::shared_ptr<Module<T>> read_lstm(const Config& c)
{
    LSTMOptions o;
    read_recurrent_options(c, o);
    o.recurrent_activation = c.activation(c.has("inner_activation") ? "inner_activation" : "recurrent_activation",
                                          Activation::sigmoid);
    o.unit_forget_bias = c.flag({"unit_forget_bias"}, true);
    return std::make_shared<LSTM<T>>(o);
}

// CuDNNLSTM of Keras 2 / tf.keras 1.x: an LSTM with tanh and sigmoid fixed; its bias [8U] (input
// and recurrent biases) is summed into the LSTM's [4U] and its kernels converted from cuDNN's
// reading when the weights are read (io/keras_read.cpp).
template <class T>
std::shared_ptr<Module<T>> read_cudnn_lstm(const Config& c)
{
    LSTMOptions o;
    o.units = c.positive({"units"});
    o.unit_forget_bias = c.flag({"unit_forget_bias"}, true);
    o.return_sequences = c.flag({"return_sequences"}, false);
    o.return_state = c.flag({"return_state"}, false);
    o.go_backwards = c.flag({"go_backwards"}, false);
    o.stateful = c.flag({"stateful"}, false);
    return std::make_shared<LSTM<T>>(o);
}

// GRU (Keras 1: output_dim, inner_activation, dropout_W/U; no reset_after before Keras 2.1.3,
// which means False, the form of those files). implementation 1 or 2 computes the same numbers.
template <class T>
std::shared_ptr<Module<T>> read_gru(const Config& c)
{
    GRUOptions o;
    read_recurrent_options(c, o);
    // Keras 3's default; Keras 1 and 2 always wrote it (Keras 1 as inner_activation)
    o.recurrent_activation = c.activation(c.has("inner_activation") ? "inner_activation" : "recurrent_activation",
                                          Activation::sigmoid);
    o.reset_after = c.flag({"reset_after"}, false);
    return std::make_shared<GRU<T>>(o);
}

// keras.layers.RNN(keras.layers.SimpleRNNCell(...)): the same layer as SimpleRNN; likewise
// RNN(LSTMCell(...)) and LSTM, RNN(GRUCell(...)) and GRU.
template <class T>
std::shared_ptr<Module<T>> read_rnn(const Config& c)
{
    if (!c.has("cell")) c.fail("config has no \"cell\"");
    const Json& cell = c.c.at("cell");
    const std::string cls = cell.is_object() && cell.contains("class_name") && cell["class_name"].is_string()
                                ? cell["class_name"].get<std::string>() : "";
    if (cls != "SimpleRNNCell" && cls != "LSTMCell" && cls != "GRUCell")
        c.fail("RNN with cell " + (cls.empty() ? cell.dump() : "'" + cls + "'") +
               " is not supported (only a single SimpleRNNCell, LSTMCell or GRUCell)");
    Json merged = cell.contains("config") && cell["config"].is_object() ? cell["config"] : Json::object();
    for (const auto& [k, v] : c.c.items())
        if (k != "cell" && k != "name") merged[k] = v;
    if (cls == "LSTMCell") return read_lstm<T>(Config{merged, c.where, c.dialect});
    if (cls == "GRUCell") return read_gru<T>(Config{merged, c.where, c.dialect});
    return read_simple_rnn<T>(Config{merged, c.where, c.dialect});
}

template <class T>
std::shared_ptr<Module<T>> read_dense(const Config& c)
{
    DenseOptions o;
    o.units = c.positive({"units", "output_dim"});
    o.activation = c.activation("activation", Activation::linear);
    o.use_bias = c.flag({"use_bias", "bias"}, true);
    return std::make_shared<Dense<T>>(o);
}

// Dropout(rate, noise_shape, seed); Keras 1 called the rate "p". Identity at inference.
template <class T>
std::shared_ptr<Module<T>> read_dropout(const Config& c)
{
    DropoutOptions o;
    o.rate = c.number({"rate", "p"}, 0.0);
    if (c.has("noise_shape")) {
        const Json& ns = c.c.at("noise_shape");
        if (!ns.is_array()) c.fail("\"noise_shape\" must be a list, got " + ns.dump());
        for (const Json& d : ns) {
            if (d.is_null()) o.noise_shape.push_back(0);
            else if (d.is_number_unsigned() && d.get<std::uint64_t>() < (1u << 30)) o.noise_shape.push_back(d.get<std::size_t>());
            else c.fail("\"noise_shape\" has a bad dimension " + d.dump());
        }
    }
    if (c.has("seed")) {
        if (!c.c.at("seed").is_number_unsigned()) c.fail("\"seed\" must be a non-negative integer, got " + c.c.at("seed").dump());
        o.seed = c.c.at("seed").get<std::uint64_t>();
    }
    return std::make_shared<Dropout<T>>(o);
}

// Masking(mask_value): steps whose features all equal mask_value are padding.
template <class T>
std::shared_ptr<Module<T>> read_masking(const Config& c)
{
    return std::make_shared<Masking<T>>(MaskingOptions{c.number({"mask_value"}, 0.0)});
}

// Bidirectional(layer, merge_mode): the wrapped SimpleRNN's config (Keras serializes its forward
// copy, named forward_<name>), merge_mode a string or null (none). A backward_layer config is
// accepted when it is the same layer going backwards.
template <class T>
std::shared_ptr<Module<T>> read_bidirectional(const Config& c)
{
    if (!c.has("layer") || !c.c.at("layer").is_object()) c.fail("config has no \"layer\" to wrap");
    const Json& inner = c.c.at("layer");
    const std::string cls = inner.contains("class_name") && inner["class_name"].is_string() ? inner["class_name"].get<std::string>() : "";
    if (cls != "SimpleRNN" && cls != "LSTM" && cls != "GRU" && cls != "RNN")
        c.fail("Bidirectional(" + cls + ") is not supported (only Bidirectional(SimpleRNN), Bidirectional(LSTM) and Bidirectional(GRU))");
    Json cfg = inner.contains("config") && inner["config"].is_object() ? inner["config"] : Json::object();
    if (cfg.contains("name") && cfg["name"].is_string() && cfg["name"].get<std::string>().rfind("forward_", 0) == 0)
        cfg["name"] = cfg["name"].get<std::string>().substr(8);
    if (c.has("backward_layer")) {
        const Json& b = c.c.at("backward_layer");
        const Json bc = b.is_object() && b.contains("config") ? b["config"] : Json::object();
        for (const char* k : {"units", "activation", "use_bias"})
            if (bc.contains(k) && cfg.contains(k) && bc[k] != cfg[k])
                c.fail("backward_layer differs from layer in \"" + std::string(k) + "\" (elman's Bidirectional runs one layer both ways)");
    }
    const auto layer = std::dynamic_pointer_cast<RecurrentLayer<T>>(layer_from_keras<T>(cls, cfg, c.where + " wrapped layer", c.dialect));
    MergeMode merge = MergeMode::none;
    if (c.has("merge_mode")) {
        if (!c.c.at("merge_mode").is_string()) c.fail("\"merge_mode\" must be a string or null");
        try {
            merge = parse_merge_mode(c.c.at("merge_mode").get<std::string>());
        } catch (const Error& e) {
            c.fail(e.what());
        }
    }
    return std::make_shared<Bidirectional<T>>(*layer, BidirectionalOptions{merge});
}

template <class T>
std::shared_ptr<Module<T>> read_flatten(const Config& c)
{
    if (c.has("data_format") && c.c.at("data_format") == "channels_first")
        c.fail("data_format 'channels_first' is not supported (only channels_last)");
    return std::make_shared<Flatten<T>>();
}

template <class T>
std::shared_ptr<Module<T>> read_time_distributed(const Config& c)
{
    if (!c.has("layer") || !c.c.at("layer").is_object()) c.fail("config has no \"layer\" to wrap");
    const Json& inner = c.c.at("layer");
    const std::string cls = inner.contains("class_name") && inner["class_name"].is_string()
                                ? inner["class_name"].get<std::string>() : "";
    if (cls != "Dense" && cls != "Dropout")
        c.fail("TimeDistributed(" + cls + ") is not supported (only TimeDistributed(Dense) and TimeDistributed(Dropout))");
    const Json empty = Json::object();
    const Json& cfg = inner.contains("config") && inner["config"].is_object() ? inner["config"] : empty;
    auto layer = layer_from_keras<T>(cls, cfg, c.where + " wrapped layer", c.dialect);
    return std::make_shared<TimeDistributed<T>>(layer);
}

constexpr std::size_t k_max = std::size_t(-1);
std::size_t mul_sat(std::size_t a, std::size_t b) { return b != 0 && a > k_max / b ? k_max : a * b; }
std::size_t add_sat(std::size_t a, std::size_t b) { return a > k_max - b ? k_max : a + b; }

// units·(features + [units if recurrent] + [1 if bias]) for a layer on inputs `in`.
template <class T>
std::size_t layer_weights(const Module<T>& layer, const Shape& in)
{
    const std::size_t features = in.empty() ? 0 : in.back();
    if (const auto* rnn = dynamic_cast<const SimpleRNN<T>*>(&layer)) {
        const std::size_t u = rnn->options().units;
        return mul_sat(u, add_sat(features, add_sat(u, rnn->options().use_bias ? 1 : 0)));
    }
    if (const auto* lstm = dynamic_cast<const LSTM<T>*>(&layer)) {
        const std::size_t u = lstm->options().units;
        return mul_sat(mul_sat(4, u), add_sat(features, add_sat(u, lstm->options().use_bias ? 1 : 0)));
    }
    if (const auto* gru = dynamic_cast<const GRU<T>*>(&layer)) {
        // 3·U·(F + U + 2) (reset_after), + 1 (one bias), + 0 (no bias)
        const GRUOptions& o = gru->options();
        const std::size_t biases = o.use_bias ? (o.reset_after ? 2 : 1) : 0;
        return mul_sat(mul_sat(3, o.units), add_sat(features, add_sat(o.units, biases)));
    }
    if (const auto* dense = dynamic_cast<const Dense<T>*>(&layer))
        return mul_sat(dense->options().units, add_sat(features, dense->options().use_bias ? 1 : 0));
    if (const auto* td = dynamic_cast<const TimeDistributed<T>*>(&layer))
        return in.empty() ? 0 : layer_weights(*td->layer(), Shape(in.begin() + 1, in.end()));
    if (const auto* bi = dynamic_cast<const Bidirectional<T>*>(&layer))
        return mul_sat(2, layer_weights(*bi->forward_layer(), in));
    return 0;
}

}  // namespace

template <class T>
std::size_t weights_needed(const Sequential<T>& model, const Shape& input_shape)
{
    std::size_t total = 0;
    Shape in = input_shape;
    for (const auto& layer : model.layers()) {
        total = add_sat(total, layer_weights(*layer, in));
        try {
            in = layer->output_shape(in);
        } catch (const Error&) {
            break;
        }
    }
    return total;
}

std::string supported_keras_layers()
{
    return "InputLayer, SimpleRNN, LSTM, GRU, RNN(SimpleRNNCell, LSTMCell or GRUCell), CuDNNLSTM, Bidirectional(SimpleRNN, LSTM "
           "or GRU), Dense, Dropout, Masking, Flatten, TimeDistributed(Dense)";
}

template <class T>
std::shared_ptr<Module<T>> layer_from_keras(const std::string& class_name, const Json& config, const std::string& where,
                                            KerasDialect dialect)
{
    if (!config.is_object()) throw Error(where + ": the layer's config is not a JSON object: " + config.dump());
    const Config c{config, where, dialect};
    std::shared_ptr<Module<T>> layer;
    try {
        if (class_name == "SimpleRNN") layer = read_simple_rnn<T>(c);
        else if (class_name == "GRU") layer = read_gru<T>(c);
        else if (class_name == "RNN") layer = read_rnn<T>(c);
        else if (class_name == "LSTM") layer = read_lstm<T>(c);
        else if (class_name == "CuDNNLSTM") layer = read_cudnn_lstm<T>(c);
        else if (class_name == "Dense") layer = read_dense<T>(c);
        else if (class_name == "Dropout") layer = read_dropout<T>(c);
        else if (class_name == "Masking") layer = read_masking<T>(c);
        else if (class_name == "Bidirectional") layer = read_bidirectional<T>(c);
        else if (class_name == "Flatten") layer = read_flatten<T>(c);
        else if (class_name == "TimeDistributed") layer = read_time_distributed<T>(c);
        else
            throw Error(where + ": unsupported layer class '" + class_name + "' (elman reads " + supported_keras_layers() + ")");
    } catch (const Error& e) {
        if (std::string(e.what()).rfind(where, 0) == 0) throw;
        throw Error(where + ": " + e.what());
    }
    if (c.has("name") && config.at("name").is_string()) layer->set_name(config.at("name").get<std::string>());
    return layer;
}

#define ELMAN_INSTANTIATE_KERAS_READ(T)                                                                              \
    template std::shared_ptr<Module<T>> layer_from_keras<T>(const std::string&, const Json&, const std::string&, KerasDialect); \
    template std::size_t weights_needed<T>(const Sequential<T>&, const Shape&);

ELMAN_INSTANTIATE_KERAS_READ(float)
ELMAN_INSTANTIATE_KERAS_READ(double)
#undef ELMAN_INSTANTIATE_KERAS_READ

}  // namespace elman::detail
