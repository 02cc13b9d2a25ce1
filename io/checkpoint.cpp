// Loading checkpoints (io/checkpoint.hpp): model.json and the weight files, checked completely
// (names, shapes, sizes, finite values) before any weight is assigned; the optimizer state.
// Saving: io/checkpoint_save.cpp.
#include "io/checkpoint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "io/detail/checkpoint_common.hpp"
#include "io/detail/keras_layers.hpp"
#include "io/files.hpp"
#include "io/npy.hpp"
#include "layers/dense.hpp"
#include "layers/simple_rnn.hpp"
#include "layers/time_distributed.hpp"
#include "optim/adam.hpp"
#include "optim/sgd.hpp"

namespace elman {

namespace {

using namespace detail::checkpoint;

std::string read_all(const Where& w, const fs::path& path, const std::string& shown)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) w.fail("file " + shown + " is missing");
    try {
        return read_file_bytes(path.string());
    } catch (const Error&) {
        w.fail("cannot read " + shown + ": " + errno_str());
    }
}

// A .npy file of T, validated completely before the data is read (io/npy.hpp).
template <class T>
Tensor<T> read_npy(const Where& w, const fs::path& path, const std::string& shown, const std::string& who)
{
    const std::string bytes = read_all(w, path, who + "file " + shown);
    try {
        return parse_npy<T>(bytes, "file " + shown);
    } catch (const Error& e) {
        w.fail(who + e.what());
    }
}

Json read_json(const Where& w, const fs::path& path, const std::string& shown)
{
    const std::string text = read_all(w, path, shown);
    try {
        return Json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        w.fail(shown + " is not valid JSON: " + e.what());
    }
}

// j[key] checked for presence and kind; errors name the file and the context.
const Json& field(const Where& w, const Json& j, const std::string& key, const std::string& ctx)
{
    if (!j.is_object() || !j.contains(key)) w.fail(ctx + ": missing \"" + key + "\"");
    return j.at(key);
}
std::string str_field(const Where& w, const Json& j, const std::string& key, const std::string& ctx)
{
    const Json& v = field(w, j, key, ctx);
    if (!v.is_string()) w.fail(ctx + ": \"" + key + "\" must be a string, got " + v.dump());
    return v.get<std::string>();
}
std::size_t uint_field(const Where& w, const Json& j, const std::string& key, const std::string& ctx)
{
    const Json& v = field(w, j, key, ctx);
    if (!v.is_number_unsigned()) w.fail(ctx + ": \"" + key + "\" must be a non-negative integer, got " + v.dump());
    return v.get<std::size_t>();
}
Shape shape_field(const Where& w, const Json& j, const std::string& key, const std::string& ctx,
                  bool allow_null)
{
    const Json& v = field(w, j, key, ctx);
    if (!v.is_array()) w.fail(ctx + ": \"" + key + "\" must be an array, got " + v.dump());
    Shape s;
    for (const Json& d : v) {
        if (allow_null && d.is_null()) s.push_back(0);
        else if (d.is_number_unsigned()) s.push_back(d.get<std::size_t>());
        else w.fail(ctx + ": \"" + key + "\" has a bad dimension " + d.dump());
    }
    return s;
}

// A file named in the JSON must stay inside its subdirectory of the checkpoint.
std::string relative_file(const Where& w, const Json& entry, const std::string& subdir, const std::string& ctx)
{
    const std::string f = str_field(w, entry, "file", ctx);
    const std::string base = f.substr(0, subdir.size() + 1) == subdir + "/" ? f.substr(subdir.size() + 1) : "";
    if (base.empty() || base.find('/') != std::string::npos || base == "." || base == "..")
        w.fail(ctx + ": file \"" + f + "\" is not a file name inside " + subdir + "/");
    return f;
}

template <class T>
std::shared_ptr<Module<T>> make_layer(const Where& w, const Json& l, const std::string& ctx)
{
    const std::string type = str_field(w, l, "type", ctx);
    const Json& cfg = field(w, l, "config", ctx);
    try {
        return detail::layer_from_keras<T>(type, cfg, ctx);
    } catch (const Error& e) {
        w.fail(e.what());
    }
}

// Building allocates and initializes every weight before the files are read. A hand-edited
// "units": 1000000 must be an error, not a 4 TB allocation or an hour of orthogonal
// initialization: the weights the layers imply may exceed what the listed files hold by at most
// 4 MB (room for the precise per-file errors that follow, e.g. one missing file).
template <class T>
void check_weight_budget(const Where& w, const fs::path& root, const Sequential<T>& model, const Json& layers,
                         const Shape& input_shape)
{
    constexpr std::size_t max = std::size_t(-1);
    const auto mul = [](std::size_t a, std::size_t b) { return b != 0 && a > max / b ? max : a * b; };
    const auto add = [](std::size_t a, std::size_t b) { return a > max - b ? max : a + b; };
    const std::size_t weights = detail::weights_needed(model, input_shape);
    std::size_t on_disk = 0;
    std::error_code ec;
    for (const Json& l : layers) {
        if (!l.is_object() || !l.contains("weights") || !l["weights"].is_array()) continue;
        for (const Json& e : l["weights"]) {
            if (!e.is_object() || !e.contains("file") || !e["file"].is_string()) continue;
            const std::string f = e["file"].get<std::string>();
            if (f.rfind("weights/", 0) != 0 || f.find('/', 8) != std::string::npos) continue;
            const auto size = fs::file_size(root / f, ec);
            if (!ec) on_disk = add(on_disk, size);
        }
    }
    const std::size_t need = mul(weights, sizeof(T));
    if (need > add(on_disk, std::size_t(4) << 20))
        w.fail("model.json: the layers need " + (weights == max ? std::string("more than 2^64") : std::to_string(weights)) +
               " weights (" + (need == max ? std::string("too many") : std::to_string(need)) +
               " bytes) but the weight files hold " + std::to_string(on_disk) + " bytes");
}

template <class T>
Sequential<T> load_model_impl(const Where& w, const fs::path& root)
{
    std::error_code ec;
    if (!fs::exists(root / "model.json", ec) && fs::is_regular_file(root / "pipeline.json", ec))
        w.fail("this is an elman forecast model (pipeline.json), an ensemble of checkpoints: give one member, e.g. " +
               (root / "member_0").string() + ", or use it with `elman predict FILE --model " + root.string() + "`");
    const Json meta = read_json(w, root / "model.json", "model.json");
    const std::string ctx = "model.json";
    if (str_field(w, meta, "format", ctx) != "elman-checkpoint")
        w.fail("model.json: \"format\" is not \"elman-checkpoint\"");
    const std::size_t version = uint_field(w, meta, "format_version", ctx);
    if (version == 0 || version > static_cast<std::size_t>(checkpoint_format_version))
        w.fail("model.json: format_version " + std::to_string(version) + " is newer than this elman reads (" +
               std::to_string(checkpoint_format_version) + ")");
    const std::string dtype = str_field(w, meta, "dtype", ctx);
    if (dtype != dtype_name<T>())
        w.fail("model.json: the model was saved as " + dtype + ", cannot load it as " + dtype_name<T>());
    const Shape input_shape = shape_field(w, meta, "input_shape", ctx, true);
    const Json& layers = field(w, meta, "layers", ctx);
    if (!layers.is_array() || layers.empty()) w.fail("model.json: \"layers\" must be a non-empty array");

    Sequential<T> model;
    if (meta.contains("name") && meta["name"].is_string()) model.set_name(meta["name"].get<std::string>());
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const Json& l = layers[i];
        const std::string lctx = "model.json layer " + std::to_string(i);
        auto layer = make_layer<T>(w, l, lctx);
        layer->set_name(str_field(w, l, "name", lctx));
        model.add(layer);
    }
    check_weight_budget<T>(w, root, model, layers, input_shape);
    try {
        model.build(input_shape);
    } catch (const Error& e) {
        w.fail("model.json: the layers do not fit input_shape " + shape_str(input_shape) + ": " + e.what());
    }

    // Every weight is read and checked before any is assigned (the model is ours until returned).
    std::vector<std::pair<Parameter<T>*, Tensor<T>>> loaded;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto& layer = model.layers()[i];
        const std::string lctx = "layer '" + layer->name() + "'";
        const Json& ws = field(w, layers[i], "weights", lctx);
        if (!ws.is_array()) w.fail(lctx + ": \"weights\" must be an array");
        const auto params = layer->parameters();
        for (const Json& entry : ws) {
            const std::string n = str_field(w, entry, "name", lctx + " weight entry");
            const bool known = std::any_of(params.begin(), params.end(), [&](const Parameter<T>* p) { return weight_name(*layer, p) == n; });
            if (!known) w.fail(lctx + ": unknown weight '" + n + "' (not in a " + layer->type() + " with this config)");
        }
        for (Parameter<T>* p : params) {
            const std::string n = weight_name(*layer, p);
            const std::string wctx = lctx + " weight '" + n + "'";
            const Json* entry = nullptr;
            for (const Json& e : ws)
                if (e.is_object() && e.value("name", "") == n) entry = &e;
            if (!entry) w.fail(wctx + ": not listed in model.json");
            const std::string file = relative_file(w, *entry, "weights", wctx);
            const Shape expected(p->value.shape().begin(), p->value.shape().end());
            const Shape listed = shape_field(w, *entry, "shape", wctx, false);
            if (listed != expected)
                w.fail(wctx + ": model.json lists shape " + shape_str(listed) + ", expected " + shape_str(expected));
            Tensor<T> t = read_npy<T>(w, root / file, file, wctx + ": ");
            if (Shape(t.shape().begin(), t.shape().end()) != expected)
                w.fail(wctx + ": file " + file + " has shape " + shape_str(t.shape()) + ", expected " +
                       shape_str(expected));
            loaded.emplace_back(p, std::move(t));
        }
    }
    for (auto& [p, t] : loaded) p->value = std::move(t);
    return model;
}

template <class T>
void load_optimizer_impl(const Where& w, const fs::path& root, Optimizer<T>& opt)
{
    const Json j = read_json(w, root / "optimizer.json", "optimizer.json");
    const std::string ctx = "optimizer.json";
    const std::string type = str_field(w, j, "type", ctx);
    const bool matches = (type == "SGD" && dynamic_cast<SGD<T>*>(&opt)) ||
                         (type == "Adam" && dynamic_cast<Adam<T>*>(&opt));
    if (!matches) w.fail("optimizer.json: saved optimizer is " + type + ", cannot load it into a different type");
    const Json& lr_j = field(w, j, "lr", ctx);
    if (!lr_j.is_number()) w.fail("optimizer.json: \"lr\" must be a number");
    const T lr = static_cast<T>(lr_j.get<double>());
    if (!(lr > T(0)) || !std::isfinite(lr)) w.fail("optimizer.json: \"lr\" must be finite and > 0, got " + lr_j.dump());
    const Json& state_j = field(w, j, "state", ctx);
    if (!state_j.is_array()) w.fail("optimizer.json: \"state\" must be an array");
    NamedTensors<T> state;
    for (const Json& e : state_j) {
        const std::string name = str_field(w, e, "name", "optimizer.json state entry");
        const std::string sctx = "optimizer state '" + name + "'";
        const std::string file = relative_file(w, e, "optimizer", sctx);
        const Shape listed = shape_field(w, e, "shape", sctx, false);
        Tensor<T> t = read_npy<T>(w, root / file, file, sctx + ": ");
        if (Shape(t.shape().begin(), t.shape().end()) != listed)
            w.fail(sctx + ": file " + file + " has shape " + shape_str(t.shape()) + ", optimizer.json lists " +
                   shape_str(listed));
        state.emplace_back(name, std::move(t));
    }
    try {
        opt.load_state(state);
    } catch (const Error& e) {
        w.fail(std::string("optimizer state: ") + e.what());
    }
    opt.set_lr(lr);
}

}  // namespace

template <class T>
Sequential<T> load_model(const std::string& dir)
{
    const Where w{dir};
    const fs::path root = target_path(dir);
    std::error_code ec;
    if (!fs::is_directory(root, ec)) w.fail("no such checkpoint directory");
    try {
        return load_model_impl<T>(w, root);
    } catch (const nlohmann::json::exception& e) {
        w.fail(std::string("model.json: ") + e.what());
    }
}

template <class T>
void load_optimizer_state(const std::string& dir, Optimizer<T>& opt)
{
    const Where w{dir};
    const fs::path root = target_path(dir);
    try {
        load_optimizer_impl(w, root, opt);
    } catch (const nlohmann::json::exception& e) {
        w.fail(std::string("optimizer.json: ") + e.what());
    }
}

#define ELMAN_INSTANTIATE_CHECKPOINT(T)                                                            \
    template Sequential<T> load_model(const std::string&);                                         \
    template void load_optimizer_state(const std::string&, Optimizer<T>&);

ELMAN_INSTANTIATE_CHECKPOINT(float)
ELMAN_INSTANTIATE_CHECKPOINT(double)
#undef ELMAN_INSTANTIATE_CHECKPOINT

}  // namespace elman
