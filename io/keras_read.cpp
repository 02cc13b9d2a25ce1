// Reading Keras files: .keras archives, legacy .h5 model files and weights-only files
// (io/keras.hpp). The architecture goes through io/detail/keras_model (config JSON of any Keras
// version) and io/detail/keras_layers (one layer at a time); this file finds each layer's
// weights in the HDF5 part and checks their count and shapes before any is assigned.
#include <algorithm>
#include <cmath>
#include <optional>

#include "core/error.hpp"
#include "io/detail/hdf5.hpp"
#include "io/detail/keras_legacy_weights.hpp"
#include "io/detail/keras_model.hpp"
#include "io/detail/zip.hpp"
#include "io/files.hpp"
#include "io/keras.hpp"
#include "layers/dense.hpp"

namespace elman {

namespace {

using detail::Hdf5Reader;
using detail::Json;
using detail::KerasModelSpec;
using detail::keras1_gru_weights;
using detail::layer_who;
using detail::legacy_lstm_weights;

// The datasets holding one model layer's weights, in Keras' order, and where they were found.
struct LayerWeights {
    std::vector<std::string> datasets;
    std::string origin;
};

template <class T>
bool has_weights(const Module<T>& layer)
{
    return !detail::keras_variable_groups(layer).empty();
}

// The variables of a Keras 3 vars group: datasets named "0", "1", ... in numeric order.
std::vector<std::string> numbered_vars(const Hdf5Reader& r, const std::string& group, const std::string& whom)
{
    std::vector<std::string> names = r.children(group);
    for (const std::string& n : names)
        if (n.empty() || n.size() > 6 || !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }))
            throw Error(r.shown() + ": " + whom + ": unexpected entry '" + n + "' in " + group);
    std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) { return std::stoul(a) < std::stoul(b); });
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] != std::to_string(i)) throw Error(r.shown() + ": " + whom + ": " + group + " lacks variable " + std::to_string(i));
        names[i] = group + "/" + names[i];
    }
    return names;
}

// Keras 3 layout (saving_lib.py): <root>/<snake_case class>[_n]/<cell|layer|...>/vars/<i>.
template <class T>
std::vector<LayerWeights> locate_keras3(const Hdf5Reader& r, const std::vector<std::string>& classes, const Sequential<T>& model)
{
    std::string root = "layers";
    if (!r.has_group(root)) {
        // tf.keras 2.13/2.14 named the container _layer_checkpoint_dependencies.
        if (r.has_group("_layer_checkpoint_dependencies")) root = "_layer_checkpoint_dependencies";
        else throw Error(r.shown() + ": no 'layers' group: not Keras weights");
    }
    KerasModelSpec spec;
    for (const std::string& c : classes) spec.layers.push_back({c, Json::object()});
    const auto folders = detail::keras_layer_folders(spec, root);
    std::vector<LayerWeights> out;
    for (std::size_t i = 0; i < model.layers().size(); ++i) {
        const auto& layer = *model.layers()[i];
        if (!has_weights(layer)) {
            out.push_back({});
            continue;
        }
        LayerWeights lw;
        for (const std::string& sub : detail::keras_variable_groups(layer)) {
            const std::string vars = folders[i] + (sub.empty() ? "" : "/" + sub) + "/vars";
            if (!r.has_group(vars)) throw Error(r.shown() + ": " + layer_who(layer) + ": missing weights: no group " + vars);
            const auto ds = numbered_vars(r, vars, layer_who(layer));
            lw.datasets.insert(lw.datasets.end(), ds.begin(), ds.end());
            lw.origin += (lw.origin.empty() ? "" : " and ") + vars;
        }
        out.push_back(std::move(lw));
    }
    return out;
}

// An attribute that Keras may have split into name0, name1, ... (legacy_h5_format.py,
// save_attributes_to_hdf5_group: HDF5 object headers hold at most 64 KB).
std::vector<std::string> chunked_strings(const Hdf5Reader& r, const std::string& object, const std::string& name)
{
    if (r.has_attribute(object, name)) return r.strings(object, name);
    std::vector<std::string> all;
    for (std::size_t k = 0; r.has_attribute(object, name + std::to_string(k)); ++k) {
        const auto part = r.strings(object, name + std::to_string(k));
        all.insert(all.end(), part.begin(), part.end());
    }
    return all;
}

std::string join(const std::string& group, const std::string& name)
{
    return group.empty() ? name : group + "/" + name;
}

// Legacy layout (Keras 1/2, tf.keras, Keras 3's legacy_h5_format.py): layer_names in `group`,
// each layer's weight_names, matched to the model's weighted layers in order as Keras'
// load_weights_from_hdf5_group does.
template <class T>
std::vector<LayerWeights> locate_legacy(const Hdf5Reader& r, const std::string& group, const Sequential<T>& model)
{
    const auto names = chunked_strings(r, group, "layer_names");
    std::vector<std::pair<std::string, std::vector<std::string>>> saved;
    for (const std::string& n : names) {
        if (!r.has_group(join(group, n))) throw Error(r.shown() + ": layer_names lists '" + n + "' but there is no group " + join(group, n));
        auto w = chunked_strings(r, join(group, n), "weight_names");
        if (!w.empty()) saved.emplace_back(n, std::move(w));
    }
    std::vector<std::size_t> weighted;
    for (std::size_t i = 0; i < model.layers().size(); ++i)
        if (has_weights(*model.layers()[i])) weighted.push_back(i);
    if (weighted.size() != saved.size()) {
        std::string s;
        for (const auto& [n, w] : saved) s += (s.empty() ? "" : ", ") + n;
        throw Error(r.shown() + ": the file holds weights for " + std::to_string(saved.size()) + " layers (" + s + "), the model has " +
                    std::to_string(weighted.size()) + " layers with weights");
    }
    std::vector<LayerWeights> out(model.layers().size());
    for (std::size_t k = 0; k < saved.size(); ++k) {
        LayerWeights& lw = out[weighted[k]];
        lw.origin = join(group, saved[k].first);
        for (const std::string& w : saved[k].second) lw.datasets.push_back(join(lw.origin, w));
    }
    return out;
}

// The input shape implied by the first layer's first weight (its kernel [F, U]), timesteps None.
template <class T>
Shape shape_from_weights(const Hdf5Reader& r, const Sequential<T>& model, const std::vector<LayerWeights>& lw)
{
    const auto& first = *model.layers().front();
    if (!has_weights(first) || lw.front().datasets.empty())
        throw Error(r.shown() + ": the file declares no input shape and its first layer, " + layer_who(first) + ", has no weights to tell it");
    const Shape k = r.dataset_shape(lw.front().datasets.front());
    if (k.size() != 2) throw Error(r.shown() + ": " + layer_who(first) + ": first weight has shape " + shape_str(k) + ", expected a kernel [F, U]");
    if (dynamic_cast<const Dense<T>*>(&first)) return {k[0]};
    return {0, k[0]};
}

// Builds `model` for `shape` unless built; refuses, before allocating, layers far larger than
// the file's bytes (a hostile config naming millions of units).
template <class T>
void build_checked(Sequential<T>& model, const Shape& shape, std::size_t file_bytes, const std::string& where)
{
    if (model.built()) return;
    const std::size_t need = detail::weights_needed(model, shape);
    if (need > (file_bytes + (std::size_t(4) << 20)) / 2)
        throw Error(where + ": the layers need " + std::to_string(need) + " weights but the file holds only " + std::to_string(file_bytes) +
                    " bytes");
    try {
        model.build(shape);
    } catch (const Error& e) {
        throw Error(where + ": the layers do not fit the input shape " + shape_str(shape) + ": " + e.what());
    }
}

// Reads and checks every weight, then assigns them all (the model is unchanged on an error).
template <class T>
void assign_weights(const Hdf5Reader& r, Sequential<T>& model, const std::vector<LayerWeights>& lw)
{
    std::vector<std::pair<Parameter<T>*, Tensor<T>>> loaded;
    for (std::size_t i = 0; i < model.layers().size(); ++i) {
        const auto& layer = *model.layers()[i];
        const auto params = model.layers()[i]->parameters();
        const auto& ds = lw[i].datasets;
        auto converted = legacy_lstm_weights(r, layer, ds);
        if (!converted) converted = keras1_gru_weights(r, layer, ds);
        if (converted) {
            if (converted->size() != params.size())
                throw Error(r.shown() + ": " + layer_who(layer) + ": the file's " + std::to_string(ds.size()) + " weights in " + lw[i].origin +
                            " make " + std::to_string(converted->size()) + " arrays, the layer has " + std::to_string(params.size()));
            for (std::size_t j = 0; j < params.size(); ++j) {
                const Shape want(params[j]->value.shape().begin(), params[j]->value.shape().end());
                const Shape got((*converted)[j].shape().begin(), (*converted)[j].shape().end());
                if (got != want)
                    throw Error(r.shown() + ": " + layer_who(layer) + ": weight '" + params[j]->name.substr(params[j]->name.rfind('/') + 1) +
                                "' (from the older layout in " + lw[i].origin + ") has shape " + shape_str(got) +
                                ", expected " + shape_str(want));
                loaded.emplace_back(params[j], std::move((*converted)[j]));
            }
            continue;
        }
        if (ds.size() != params.size()) {
            std::string names;
            for (const Parameter<T>* p : params) names += (names.empty() ? "" : ", ") + p->name.substr(p->name.rfind('/') + 1);
            throw Error(r.shown() + ": " + layer_who(layer) + ": " + (ds.size() < params.size() ? "missing weight: " : "") + "the file has " +
                        std::to_string(ds.size()) + " weights" + (lw[i].origin.empty() ? "" : " in " + lw[i].origin) + ", the layer has " +
                        std::to_string(params.size()) + " (" + names + ")");
        }
        for (std::size_t j = 0; j < ds.size(); ++j) {
            Parameter<T>* p = params[j];
            const std::string wname = "weight '" + p->name.substr(p->name.rfind('/') + 1) + "' (" + ds[j] + ")";
            if (!r.has_dataset(ds[j])) throw Error(r.shown() + ": " + layer_who(layer) + ": missing weight: no dataset " + ds[j]);
            const Shape want(p->value.shape().begin(), p->value.shape().end());
            const Shape got = r.dataset_shape(ds[j]);
            if (got != want)
                throw Error(r.shown() + ": " + layer_who(layer) + ": " + wname + " has shape " + shape_str(got) + ", expected " + shape_str(want));
            Tensor<T> t = r.read<T>(ds[j]);
            for (std::size_t k = 0; k < t.size(); ++k)
                if (!std::isfinite(t.data()[k]))
                    throw Error(r.shown() + ": " + layer_who(layer) + ": " + wname + " holds a non-finite value at flat index " + std::to_string(k));
            loaded.emplace_back(p, std::move(t));
        }
    }
    for (auto& [p, t] : loaded) p->value = std::move(t);
}

Json parse_json(const std::string& text, const std::string& where)
{
    try {
        return Json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + " is not valid JSON: " + e.what());
    }
}

template <class T>
Sequential<T> load_with(const KerasModelSpec& spec, const Hdf5Reader& r, std::size_t file_bytes, const std::string& path,
                        const std::string& weights_group, bool keras3)
{
    Sequential<T> model = detail::make_keras_model<T>(spec, path);
    std::vector<std::string> classes;
    for (const auto& l : spec.layers) classes.push_back(l.class_name);
    const auto lw = keras3 ? locate_keras3(r, classes, model) : locate_legacy(r, weights_group, model);
    const Shape shape = spec.input_shape ? *spec.input_shape : shape_from_weights(r, model, lw);
    build_checked(model, shape, file_bytes, path);
    assign_weights(r, model, lw);
    return model;
}

template <class T>
Sequential<T> load_archive(const std::string& bytes, const std::string& path)
{
    const detail::ZipReader zip(bytes, path);
    if (!zip.has("config.json")) throw Error(path + ": a zip archive without config.json: not a .keras model file");
    const Json config = parse_json(zip.read("config.json", 64u << 20), path + ": config.json");
    KerasModelSpec spec = detail::parse_keras_model(config, path);
    // tf.keras 2.13-2.15 wrote .keras archives too (metadata.json: keras_version "2.x"), with
    // Keras 2's hard_sigmoid
    if (zip.has("metadata.json")) {
        const Json meta = parse_json(zip.read("metadata.json", 1u << 20), path + ": metadata.json");
        if (meta.is_object() && meta.contains("keras_version") && meta["keras_version"].is_string())
            spec.dialect.keras2_hard_sigmoid = detail::keras_before_3(meta["keras_version"].get<std::string>());
    }
    if (!zip.has("model.weights.h5")) {
        if (zip.has("model.weights.npz")) throw Error(path + ": weights in .npz format (model.weights.npz) are not supported; save with the default h5 format");
        throw Error(path + ": the archive holds no model.weights.h5");
    }
    const std::string h5 = zip.read("model.weights.h5");
    const Hdf5Reader r(h5, path + " (model.weights.h5)");
    return load_with<T>(spec, r, h5.size(), path, "", true);
}

template <class T>
Sequential<T> load_h5(const std::string& bytes, const std::string& path)
{
    const Hdf5Reader r(bytes, path);
    if (!r.has_attribute("", "model_config")) {
        if (r.has_group("layers") || r.has_attribute("", "layer_names"))
            throw Error(path + ": a weights-only file (no model_config attribute): load it into a model with load_keras_weights");
        throw Error(path + ": an HDF5 file without a model_config attribute: not a Keras model file");
    }
    const auto text = r.strings("", "model_config");
    if (text.size() != 1) throw Error(path + ": the model_config attribute is not one string");
    KerasModelSpec spec = detail::parse_keras_model(parse_json(text[0], path + ": model_config"), path);
    // Keras 1 and 2 (and tf.keras) wrote keras_version "1.x"/"2.x" (or none: Keras 1): their
    // "hard_sigmoid" is clip(0.2x + 0.5, 0, 1), not Keras 3's
    const auto version = r.has_attribute("", "keras_version") ? r.strings("", "keras_version") : std::vector<std::string>{};
    spec.dialect.keras2_hard_sigmoid = detail::keras_before_3(version.empty() ? "" : version[0]);
    if (!r.has_group("model_weights")) throw Error(path + ": no model_weights group: the file holds no weights");
    return load_with<T>(spec, r, bytes.size(), path, "model_weights", false);
}

}  // namespace

template <class T>
Sequential<T> load_keras(const std::string& path)
{
    const std::string bytes = read_file_bytes(path);
    if (detail::looks_like_zip(bytes)) return load_archive<T>(bytes, path);
    if (detail::looks_like_hdf5(bytes)) return load_h5<T>(bytes, path);
    throw Error(path + ": neither a .keras archive (zip) nor an HDF5 (.h5) file" + std::string(bytes.empty() ? " (the file is empty)" : ""));
}

template <class T>
void load_keras_weights(const std::string& path, Sequential<T>& model)
{
    if (model.layers().empty()) throw Error(path + ": load_keras_weights: the model has no layers");
    std::string bytes = read_file_bytes(path);
    std::string shown = path;
    if (detail::looks_like_zip(bytes)) {
        const detail::ZipReader zip(bytes, path);
        bytes = zip.read("model.weights.h5");
        shown = path + " (model.weights.h5)";
    }
    const Hdf5Reader r(bytes, shown);
    std::vector<std::string> classes;
    for (const auto& l : model.layers()) classes.push_back(l->type());
    std::vector<LayerWeights> lw;
    if (r.has_group("layers") || r.has_group("_layer_checkpoint_dependencies")) lw = locate_keras3(r, classes, model);
    else if (r.has_attribute("", "layer_names") || r.has_attribute("", "layer_names0")) lw = locate_legacy(r, "", model);
    else if (r.has_group("model_weights")) lw = locate_legacy(r, "model_weights", model);
    else throw Error(shown + ": no Keras weights in this HDF5 file (no 'layers' group, no layer_names attribute)");
    if (!model.built()) build_checked(model, shape_from_weights(r, model, lw), bytes.size(), shown);
    assign_weights(r, model, lw);
}

template Sequential<float> load_keras<float>(const std::string&);
template Sequential<double> load_keras<double>(const std::string&);
template void load_keras_weights<float>(const std::string&, Sequential<float>&);
template void load_keras_weights<double>(const std::string&, Sequential<double>&);

}  // namespace elman
