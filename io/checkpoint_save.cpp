// Saving checkpoints (io/checkpoint.hpp): model.json (each layer's Keras config), the weights
// as .npy in Keras' layout, the optimizer's state, written into a fresh directory that then
// replaces the old checkpoint in one rename (RENAME_EXCHANGE where the filesystem has it).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "io/checkpoint.hpp"
#include "io/detail/checkpoint_common.hpp"
#include "io/detail/keras_layers.hpp"
#include "io/files.hpp"
#include "io/npy.hpp"
#include "optim/adam.hpp"
#include "optim/sgd.hpp"

namespace elman {

namespace {

using namespace detail::checkpoint;

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

template void save_checkpoint(const std::string&, const Sequential<float>&, const Optimizer<float>*);
template void save_checkpoint(const std::string&, const Sequential<double>&, const Optimizer<double>*);

}  // namespace elman
