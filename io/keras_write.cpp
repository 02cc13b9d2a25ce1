// save_keras (io/keras.hpp): a .keras archive as Keras 3 writes it (keras/src/saving/
// saving_lib.py, _save_model_to_fileobj): metadata.json, config.json and model.weights.h5, in
// that order, stored without compression. The weights file has the groups saving_lib's
// _save_state creates: "vars" for the model itself (empty), then for each layer of
// model.layers "layers/<snake_case class>[_n]/vars" holding its own variables as datasets
// "0", "1", ..., and its tracked sub-layers below it ("cell/vars" for SimpleRNN's
// SimpleRNNCell, LSTMCell or GRUCell, "layer/vars" for TimeDistributed's wrapped layer). Keras 3.0-3.9 create every
// such group even when empty; that is the layout written here (later versions skip empty
// groups and read both).
#include <ctime>

#include "core/error.hpp"
#include "core/tensor.hpp"
#include "io/detail/hdf5.hpp"
#include "io/detail/keras_model.hpp"
#include "io/detail/zip.hpp"
#include "io/files.hpp"
#include "io/keras.hpp"
#include "layers/gru.hpp"
#include "layers/lstm.hpp"
#include "layers/simple_rnn.hpp"

namespace elman {

namespace {

using detail::Json;

// The schema written: string dtypes ("float32") as Keras 3.0-3.3 wrote them, which every later
// Keras 3 reads too.
constexpr const char* k_keras_version = "3.3.3";

// The carried state of a stateful recurrent layer (null: none yet, or not stateful).
template <class T>
const Tensor<T>* carried_state(const Module<T>& l)
{
    if (const auto* rnn = dynamic_cast<const SimpleRNN<T>*>(&l)) return rnn->has_state() ? &rnn->states() : nullptr;
    if (const auto* gru = dynamic_cast<const GRU<T>*>(&l)) return gru->has_state() ? &gru->states() : nullptr;
    if (const auto* lstm = dynamic_cast<const LSTM<T>*>(&l)) return lstm->has_state() ? &lstm->state_h() : nullptr;
    return nullptr;
}

template <class T>
std::size_t batch_size(const Sequential<T>& model, const KerasSaveOptions& o, const std::string& path)
{
    for (const auto& l : model.layers())
        if (const auto* rnn = dynamic_cast<const RecurrentLayer<T>*>(l.get()); rnn && rnn->stateful()) {
            if (o.batch_size) return o.batch_size;
            if (const Tensor<T>* s = carried_state(*l)) return s->shape()[0];
            throw Error(path + ": layer '" + rnn->name() + "' is stateful: Keras needs a fixed batch size; give KerasSaveOptions::batch_size");
        }
    return o.batch_size;
}

// Keras 3 has no name for Keras 2's hard sigmoid (its "hard_sigmoid" is relu6(x + 3)/6): a
// layer using it cannot be written in Keras 3's format.
void refuse_keras2_activations(const Json& layer_config, const std::string& layer)
{
    for (const auto& [key, v] : layer_config.items()) {
        if (v.is_string() && v.get<std::string>() == to_string(Activation::hard_sigmoid_keras2))
            throw Error("layer '" + layer + "': " + key +
                        " is Keras 2's hard sigmoid, clip(0.2x + 0.5, 0, 1), which Keras 3 cannot express (its hard_sigmoid "
                        "is relu6(x + 3)/6); save an elman checkpoint or export ONNX instead");
        if (v.is_object()) refuse_keras2_activations(v, layer);
    }
}

// config.json: serialize_keras_object(model) for a Sequential (sequential.py get_config).
template <class T>
Json model_config(const Sequential<T>& model, std::size_t batch)
{
    const Json shape = detail::keras_shape(batch, model.input_shape());
    Json layers = Json::array();
    layers.push_back(Json{{"module", "keras.layers"},
                          {"class_name", "InputLayer"},
                          {"config", Json{{"batch_shape", shape}, {"dtype", dtype_name<T>()}, {"sparse", false}, {"name", "input_layer"}}},
                          {"registered_name", nullptr}});
    Shape in = model.input_shape();
    for (const auto& l : model.layers()) {
        layers.push_back(detail::layer_to_keras(*l, in, batch));
        refuse_keras2_activations(layers.back(), l->name());
        in = l->output_shape(in);
    }
    return Json{{"module", "keras"},
                {"class_name", "Sequential"},
                {"config", Json{{"name", model.name()}, {"trainable", true}, {"dtype", dtype_name<T>()}, {"layers", std::move(layers)},
                                {"build_input_shape", shape}}},
                {"registered_name", nullptr},
                {"build_config", Json{{"input_shape", shape}}}};
}

// The layer's own vars group, then the groups of the objects that hold its variables
// (detail::keras_variable_groups: cell, layer, forward_layer/cell, ...), each with its share of
// the layer's parameters in order.
template <class T>
void write_layer(detail::Hdf5Writer& h5, const std::string& folder, Module<T>& layer)
{
    h5.group(folder);
    h5.group(folder + "/vars");
    const auto params = layer.parameters();
    const auto groups = detail::keras_variable_groups(layer);
    std::size_t next = 0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        std::string at = folder;
        for (std::size_t from = 0; !groups[g].empty() && from <= groups[g].size();) {
            const std::size_t slash = groups[g].find('/', from);
            at = folder + "/" + groups[g].substr(0, slash);
            if (at != folder) {
                h5.group(at);
                h5.group(at + "/vars");
            }
            if (slash == std::string::npos) break;
            from = slash + 1;
        }
        // Parameters split evenly between the groups (a Bidirectional's two directions).
        const std::size_t count = params.size() / groups.size();
        for (std::size_t i = 0; i < count; ++i) h5.dataset(at + "/vars/" + std::to_string(i), params[next++]->value);
    }
}

template <class T>
std::string weights_file(const Sequential<T>& model)
{
    detail::Hdf5Writer h5;
    h5.group("vars");
    h5.group("layers");
    detail::KerasModelSpec spec;
    for (const auto& l : model.layers()) spec.layers.push_back({l->type(), Json::object()});
    const auto folders = detail::keras_layer_folders(spec, "layers");
    for (std::size_t i = 0; i < folders.size(); ++i) write_layer(h5, folders[i], *model.layers()[i]);
    return h5.image();
}

std::string now_keras_format()
{
    char buf[32];
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%d@%H:%M:%S", &tm);
    return buf;
}

}  // namespace

template <class T>
void save_keras(const std::string& path, const Sequential<T>& model, KerasSaveOptions options)
{
    if (path.size() < 7 || path.compare(path.size() - 6, 6, ".keras") != 0)
        throw Error(path + ": a Keras archive's name must end in .keras (keras.saving.load_model refuses others)");
    if (!model.built() || model.layers().empty()) throw Error(path + ": save_keras: the model is not built (call build(input_shape))");
    const std::size_t batch = batch_size(model, options, path);
    Json config;
    try {
        config = model_config(model, batch);
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
    const Json metadata{{"keras_version", k_keras_version}, {"date_saved", now_keras_format()}};
    const std::string zip = detail::make_zip({{"metadata.json", metadata.dump()},
                                              {"config.json", config.dump()},
                                              {"model.weights.h5", weights_file(model)}});
    replace_file_atomically(path, zip);
}

template void save_keras<float>(const std::string&, const Sequential<float>&, KerasSaveOptions);
template void save_keras<double>(const std::string&, const Sequential<double>&, KerasSaveOptions);

}  // namespace elman
