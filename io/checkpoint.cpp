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

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

template <class T> constexpr const char* dtype_name();
template <> constexpr const char* dtype_name<float>() { return "float32"; }
template <> constexpr const char* dtype_name<double>() { return "float64"; }

// "checkpoint ckpt/: ..." — every load/save error starts with this.
struct Where {
    std::string dir;
    [[noreturn]] void fail(const std::string& msg) const { throw Error("checkpoint " + dir + ": " + msg); }
};

std::string errno_str() { return std::strerror(errno); }

void write_file(const Where& w, const fs::path& path, const std::string& bytes)
{
    try {
        write_new_file(path.string(), bytes);
    } catch (const Error& e) {
        w.fail(e.what());
    }
}

// A directory's entries (new files, renames) are durable only once the directory is synced.
void fsync_dir(const Where& w, const fs::path& path)
{
    try {
        fsync_directory(path.string());
    } catch (const Error& e) {
        w.fail(e.what());
    }
}

Json shape_json(const Shape& s)
{
    Json a = Json::array();
    for (std::size_t d : s) a.push_back(d);
    return a;
}

// Keras writes None for a dimension of any length (0 in elman).
Json input_shape_json(const Shape& s)
{
    Json a = Json::array();
    for (std::size_t d : s) a.push_back(d == 0 ? Json(nullptr) : Json(d));
    return a;
}

// The weight's name inside its layer: "dense/kernel" -> "kernel",
// "bidirectional/forward_simple_rnn/kernel" -> "forward_simple_rnn/kernel".
template <class T>
std::string weight_name(const Module<T>& layer, const Parameter<T>* p)
{
    const std::string prefix = layer.name() + "/";
    if (p->name.rfind(prefix, 0) == 0) return p->name.substr(prefix.size());
    return p->name.substr(p->name.rfind('/') + 1);
}

// weights/<layer>__<weight>.npy, a nested weight's '/' written as "__"
std::string weight_file(const std::string& layer, std::string weight)
{
    for (std::size_t at; (at = weight.find('/')) != std::string::npos;) weight.replace(at, 1, "__");
    return "weights/" + layer + "__" + weight + ".npy";
}

template <class T>
Json layer_config(const Where& w, Module<T>& layer, const Shape& input_shape)
{
    try {
        return detail::layer_to_keras(layer, input_shape, 0)["config"];
    } catch (const Error& e) {
        w.fail(std::string("save: ") + e.what());
    }
}

template <class T>
Json optimizer_json(const Where& w, const Optimizer<T>& opt)
{
    Json j;
    if (const auto* sgd = dynamic_cast<const SGD<T>*>(&opt)) {
        const SGDOptions<T>& o = sgd->options();
        j["type"] = "SGD";
        j["options"] = Json{{"lr", o.lr}, {"momentum", o.momentum}, {"dampening", o.dampening},
                            {"nesterov", o.nesterov}, {"weight_decay", o.weight_decay}};
    } else if (const auto* adam = dynamic_cast<const Adam<T>*>(&opt)) {
        const AdamOptions<T>& o = adam->options();
        j["type"] = "Adam";
        j["options"] = Json{{"lr", o.lr}, {"beta1", o.beta1}, {"beta2", o.beta2}, {"eps", o.eps},
                            {"weight_decay", o.weight_decay}, {"keras_epsilon", o.keras_epsilon}};
    } else {
        w.fail("only SGD and Adam optimizers can be saved");
    }
    j["lr"] = opt.lr();
    return j;
}

// Writes the whole checkpoint into `out` (a fresh empty directory).
template <class T>
void write_checkpoint(const Where& w, const fs::path& out, const Sequential<T>& model, const Optimizer<T>* opt)
{
    Json layers = Json::array();
    std::vector<std::pair<std::string, const Tensor<T>*>> files;
    Shape in = model.input_shape();
    for (const auto& layer : model.layers()) {
        Json l{{"type", layer->type()}, {"name", layer->name()}, {"config", layer_config(w, *layer, in)}};
        Json weights = Json::array();
        for (const Parameter<T>* p : layer->parameters()) {
            const std::string name = weight_name(*layer, p);
            const std::string file = weight_file(layer->name(), name);
            weights.push_back(Json{{"name", name}, {"file", file}, {"shape", shape_json(Shape(p->value.shape().begin(), p->value.shape().end()))}});
            files.emplace_back(file, &p->value);
        }
        l["weights"] = std::move(weights);
        layers.push_back(std::move(l));
        in = layer->output_shape(in);
    }
    const Json meta{{"format", "elman-checkpoint"},
                    {"format_version", checkpoint_format_version},
                    {"dtype", dtype_name<T>()},
                    {"name", model.name()},
                    {"input_shape", input_shape_json(model.input_shape())},
                    {"layers", std::move(layers)}};

    fs::create_directory(out / "weights");
    for (const auto& [file, value] : files) write_file(w, out / file, npy_bytes(*value));
    fsync_dir(w, out / "weights");
    write_file(w, out / "model.json", meta.dump(2) + "\n");

    if (opt) {
        Json oj = optimizer_json(w, *opt);
        Json state = Json::array();
        fs::create_directory(out / "optimizer");
        for (const auto& [name, value] : opt->state()) {
            const std::string file = "optimizer/" + name + ".npy";
            state.push_back(Json{{"name", name}, {"file", file}, {"shape", shape_json(Shape(value.shape().begin(), value.shape().end()))}});
            write_file(w, out / file, npy_bytes(value));
        }
        oj["state"] = std::move(state);
        fsync_dir(w, out / "optimizer");
        write_file(w, out / "optimizer.json", oj.dump(2) + "\n");
    }
    fsync_dir(w, out);
}

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

fs::path target_path(const std::string& dir)
{
    if (dir.empty()) throw Error("checkpoint: the directory name is empty");
    fs::path p = fs::path(dir).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();
    return p;
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
void save_checkpoint(const std::string& dir, const Sequential<T>& model, const Optimizer<T>* opt)
{
    const Where w{dir};
    if (!model.built() || model.layers().empty())
        w.fail("save: the model is not built (call build(input_shape) or run it once)");
    const fs::path target = target_path(dir);
    std::error_code ec;
    const bool exists = fs::exists(fs::symlink_status(target, ec));
    if (exists) {
        // Refuse to replace anything that is not a checkpoint (a typo must not wipe a folder).
        if (!fs::is_directory(target, ec)) w.fail("save: exists and is not a directory");
        if (!fs::is_empty(target, ec) && !fs::exists(target / "model.json", ec))
            w.fail("save: exists, is not empty and holds no model.json; refusing to replace it");
    }

    std::string tmpl = target.string() + ".tmp-XXXXXX";
    if (!::mkdtemp(tmpl.data())) w.fail("save: cannot create a temporary directory " + tmpl + ": " + errno_str());
    const fs::path tmp = tmpl;
    ::chmod(tmp.c_str(), 0755);
    try {
        write_checkpoint(w, tmp, model, opt);
        if (!exists) {
            if (::rename(tmp.c_str(), target.c_str()) != 0) w.fail("save: cannot rename " + tmp.string() + ": " + errno_str());
        } else if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
            // One atomic swap: dir is the new checkpoint, tmp now holds the old one.
            fs::remove_all(tmp, ec);
        } else {
            // No RENAME_EXCHANGE on this filesystem: move the old one aside, then the new one in.
            // A crash between the two renames leaves the old checkpoint in dir.old-XXXXXX.
            std::string old = target.string() + ".old-XXXXXX";
            if (!::mkdtemp(old.data())) w.fail("save: cannot create " + old + ": " + errno_str());
            if (::rename(target.c_str(), old.c_str()) != 0) w.fail("save: cannot move the old checkpoint aside: " + errno_str());
            if (::rename(tmp.c_str(), target.c_str()) != 0) {
                const std::string e = errno_str();
                ::rename(old.c_str(), target.c_str());
                w.fail("save: cannot rename " + tmp.string() + ": " + e);
            }
            fs::remove_all(old, ec);
        }
        fsync_dir(w, target.has_parent_path() ? target.parent_path() : fs::path("."));
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
}

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
    template void save_checkpoint(const std::string&, const Sequential<T>&, const Optimizer<T>*);  \
    template Sequential<T> load_model(const std::string&);                                         \
    template void load_optimizer_state(const std::string&, Optimizer<T>&);

ELMAN_INSTANTIATE_CHECKPOINT(float)
ELMAN_INSTANTIATE_CHECKPOINT(double)

}  // namespace elman
