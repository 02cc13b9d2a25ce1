#include "layers/checkpoint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>
#include <xtensor/xnpy.hpp>

#include "layers/bidirectional.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/masking.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"
#include "optim/sgd.hpp"

namespace elman {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// The npy reader below copies the data as-is: it assumes a little-endian host, as '<f4' says.
static_assert(std::endian::native == std::endian::little, "checkpoints assume a little-endian host");

template <class T> constexpr const char* dtype_name();
template <> constexpr const char* dtype_name<float>() { return "float32"; }
template <> constexpr const char* dtype_name<double>() { return "float64"; }
template <class T> constexpr const char* npy_descr();
template <> constexpr const char* npy_descr<float>() { return "<f4"; }
template <> constexpr const char* npy_descr<double>() { return "<f8"; }

// "checkpoint ckpt/: ..." — every load/save error starts with this.
struct Where {
    std::string dir;
    [[noreturn]] void fail(const std::string& msg) const { throw Error("checkpoint " + dir + ": " + msg); }
};

std::string errno_str() { return std::strerror(errno); }

void write_file(const Where& w, const fs::path& path, const std::string& bytes)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) w.fail("cannot create " + path.string() + ": " + errno_str());
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string e = errno_str();
            ::close(fd);
            w.fail("cannot write " + path.string() + ": " + e);
        }
        done += static_cast<std::size_t>(n);
    }
    // The data must be on disk before the rename that publishes it.
    if (::fsync(fd) != 0) {
        const std::string e = errno_str();
        ::close(fd);
        w.fail("cannot fsync " + path.string() + ": " + e);
    }
    if (::close(fd) != 0) w.fail("cannot close " + path.string() + ": " + errno_str());
}

// A directory's entries (new files, renames) are durable only once the directory is synced.
void fsync_dir(const Where& w, const fs::path& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) w.fail("cannot open directory " + path.string() + ": " + errno_str());
    const int rc = ::fsync(fd);
    const std::string e = rc != 0 ? errno_str() : "";
    ::close(fd);
    if (rc != 0) w.fail("cannot fsync directory " + path.string() + ": " + e);
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

Json rnn_config(const SimpleRNNOptions& o)
{
    return Json{{"units", o.units},
                {"activation", to_string(o.activation)},
                {"use_bias", o.use_bias},
                {"return_sequences", o.return_sequences},
                {"return_state", o.return_state},
                {"go_backwards", o.go_backwards},
                {"stateful", o.stateful},
                {"dropout", o.dropout},
                {"recurrent_dropout", o.recurrent_dropout},
                {"zero_output_for_mask", o.zero_output_for_mask},
                {"seed", o.seed}};
}

template <class T>
Json layer_config(const Where& w, Module<T>& layer)
{
    if (const auto* rnn = dynamic_cast<const SimpleRNN<T>*>(&layer)) return rnn_config(rnn->options());
    if (const auto* dense = dynamic_cast<const Dense<T>*>(&layer)) {
        const DenseOptions& o = dense->options();
        return Json{{"units", o.units}, {"activation", to_string(o.activation)}, {"use_bias", o.use_bias}};
    }
    if (const auto* m = dynamic_cast<const Masking<T>*>(&layer))
        return Json{{"mask_value", m->options().mask_value}};
    if (const auto* d = dynamic_cast<const Dropout<T>*>(&layer))
        return Json{{"rate", d->options().rate}, {"noise_shape", shape_json(d->options().noise_shape)},
                    {"seed", d->options().seed}};
    if (const auto* bi = dynamic_cast<const Bidirectional<T>*>(&layer)) {
        // The wrapped layer, as Keras' config does: recreating Bidirectional from it gives
        // both directions back.
        const auto* fw = dynamic_cast<const SimpleRNN<T>*>(bi->forward_layer().get());
        if (fw) {
            const std::string fname = fw->name();
            const std::string wrapped = fname.rfind("forward_", 0) == 0 ? fname.substr(8) : fname;
            return Json{{"merge_mode", to_string(bi->options().merge_mode)},
                        {"layer", Json{{"type", fw->type()}, {"name", wrapped},
                                       {"config", rnn_config(fw->options())}}}};
        }
    }
    w.fail("layer '" + layer.name() + "' of type " + layer.type() +
           " cannot be saved (only SimpleRNN, Dense, Masking, Dropout and Bidirectional(SimpleRNN) "
           "layers)");
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
    for (const auto& layer : model.layers()) {
        Json l{{"type", layer->type()}, {"name", layer->name()}, {"config", layer_config(w, *layer)}};
        Json weights = Json::array();
        for (const Parameter<T>* p : layer->parameters()) {
            const std::string name = weight_name(*layer, p);
            const std::string file = weight_file(layer->name(), name);
            weights.push_back(Json{{"name", name}, {"file", file}, {"shape", shape_json(Shape(p->value.shape().begin(), p->value.shape().end()))}});
            files.emplace_back(file, &p->value);
        }
        l["weights"] = std::move(weights);
        layers.push_back(std::move(l));
    }
    const Json meta{{"format", "elman-checkpoint"},
                    {"format_version", checkpoint_format_version},
                    {"dtype", dtype_name<T>()},
                    {"name", model.name()},
                    {"input_shape", input_shape_json(model.input_shape())},
                    {"layers", std::move(layers)}};

    fs::create_directory(out / "weights");
    for (const auto& [file, value] : files) write_file(w, out / file, xt::dump_npy(*value));
    fsync_dir(w, out / "weights");
    write_file(w, out / "model.json", meta.dump(2) + "\n");

    if (opt) {
        Json oj = optimizer_json(w, *opt);
        Json state = Json::array();
        fs::create_directory(out / "optimizer");
        for (const auto& [name, value] : opt->state()) {
            const std::string file = "optimizer/" + name + ".npy";
            state.push_back(Json{{"name", name}, {"file", file}, {"shape", shape_json(Shape(value.shape().begin(), value.shape().end()))}});
            write_file(w, out / file, xt::dump_npy(value));
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
    std::ifstream in(path, std::ios::binary);
    if (!in) w.fail("cannot open " + shown + ": " + errno_str());
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) w.fail("cannot read " + shown);
    return bytes;
}

// The value of 'key' in a numpy header dict, {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
std::optional<std::string> header_value(const std::string& h, const std::string& key)
{
    std::size_t k = h.find("'" + key + "'");
    if (k == std::string::npos) k = h.find("\"" + key + "\"");
    if (k == std::string::npos) return std::nullopt;
    std::size_t i = h.find(':', k + key.size() + 2);
    if (i == std::string::npos) return std::nullopt;
    ++i;
    while (i < h.size() && h[i] == ' ') ++i;
    if (i >= h.size()) return std::nullopt;
    std::size_t end;
    if (h[i] == '\'' || h[i] == '"') {
        end = h.find(h[i], i + 1);
        if (end == std::string::npos) return std::nullopt;
        return h.substr(i + 1, end - i - 1);
    }
    end = h[i] == '(' ? h.find(')', i) : h.find_first_of(",}", i);
    if (end == std::string::npos) return std::nullopt;
    return h.substr(i, end - i + (h[i] == '(' ? 1 : 0));
}

// A .npy file of T, validated completely (magic, header, dtype, order, data length) before the
// data is read: a truncated or foreign file gives an Error naming it, never a crash.
template <class T>
Tensor<T> read_npy(const Where& w, const fs::path& path, const std::string& shown, const std::string& who)
{
    const std::string b = read_all(w, path, who + "file " + shown);
    const auto bad = [&](const std::string& why) { w.fail(who + "file " + shown + " " + why); };
    if (b.size() < 10 || b.compare(0, 6, "\x93NUMPY") != 0) bad("is not a .npy file (bad magic)");
    const auto u8 = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(b[i])); };
    const std::size_t major = u8(6);
    std::size_t offset = 0, header_len = 0;
    if (major == 1) {
        header_len = u8(8) | (u8(9) << 8);
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (b.size() < 12) bad("is truncated (incomplete header)");
        header_len = u8(8) | (u8(9) << 8) | (u8(10) << 16) | (u8(11) << 24);
        offset = 12;
    } else {
        bad("has unsupported .npy version " + std::to_string(major));
    }
    if (b.size() < offset + header_len) bad("is truncated (incomplete header)");
    const std::string h = b.substr(offset, header_len);
    offset += header_len;
    const auto descr = header_value(h, "descr");
    const auto fortran = header_value(h, "fortran_order");
    const auto shape_s = header_value(h, "shape");
    if (!descr || !fortran || !shape_s) bad("has a malformed header: " + h);
    if (*descr != npy_descr<T>())
        bad("has dtype '" + *descr + "', expected '" + npy_descr<T>() + "' (" + dtype_name<T>() + ")");
    // "(8, 1)", "(3,)", "()": decimal dimensions separated by commas, each optionally padded
    // with spaces; a trailing comma is allowed. Nothing else (no signs, no blanks between digits).
    Shape shape;
    {
        const std::string& s = *shape_s;
        if (s.size() < 2 || s.front() != '(' || s.back() != ')') bad("has a malformed shape " + s);
        const std::string inner = s.substr(1, s.size() - 2);
        std::size_t i = 0;
        const auto skip_spaces = [&] {
            while (i < inner.size() && inner[i] == ' ') ++i;
        };
        skip_spaces();
        while (i < inner.size()) {
            std::size_t d = 0, digits = 0;
            for (; i < inner.size() && inner[i] >= '0' && inner[i] <= '9'; ++i, ++digits) {
                if (digits == 18) bad("has an absurd shape " + s);  // > 10^18: no such file
                d = d * 10 + static_cast<std::size_t>(inner[i] - '0');
            }
            if (digits == 0 || shape.size() == 32) bad("has a malformed shape " + s);
            shape.push_back(d);
            skip_spaces();
            if (i == inner.size()) break;
            if (inner[i] != ',') bad("has a malformed shape " + s);
            ++i;
            skip_spaces();
        }
        if (shape.size() == 1 && inner.find(',') == std::string::npos)
            bad("has a malformed shape " + s + " (a 1-D shape is written (n,))");
    }
    if (*fortran != "False" && shape.size() > 1) bad("is in Fortran order; expected C order");
    // Bound the product of the non-zero dimensions too: with a 0 among them the element count is
    // 0, but the strides (products of trailing dimensions) must still fit in a signed index.
    std::size_t n = 1, nonzero = 1;
    const std::size_t limit = static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(T);
    for (std::size_t d : shape) {
        if (d == 0) {
            n = 0;
            continue;
        }
        if (nonzero > limit / d) bad("has an absurd shape " + shape_str(shape));
        nonzero *= d;
    }
    if (n != 0) n = nonzero;
    const std::size_t want = n * sizeof(T), have = b.size() - offset;
    if (have < want)
        bad("is truncated: " + std::to_string(have) + " data bytes, expected " + std::to_string(want) +
            " for shape " + shape_str(shape));
    if (have > want)
        bad("has " + std::to_string(have - want) + " bytes after the data of shape " + shape_str(shape));
    Tensor<T> t = Tensor<T>::from_shape(shape);
    if (want) std::memcpy(t.data(), b.data() + offset, want);
    // A NaN or inf weight would only surface later as NaN forecasts.
    for (std::size_t i = 0; i < t.size(); ++i)
        if (!std::isfinite(t.data()[i]))
            bad("holds a non-finite value (" + std::to_string(t.data()[i]) + ") at flat index " + std::to_string(i));
    return t;
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
bool bool_field(const Where& w, const Json& j, const std::string& key, const std::string& ctx)
{
    const Json& v = field(w, j, key, ctx);
    if (!v.is_boolean()) w.fail(ctx + ": \"" + key + "\" must be true or false, got " + v.dump());
    return v.get<bool>();
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

Activation activation_field(const Where& w, const Json& cfg, const std::string& ctx)
{
    const std::string a = str_field(w, cfg, "activation", ctx);
    try {
        return parse_activation(a);
    } catch (const Error& e) {
        w.fail(ctx + ": " + e.what());
    }
}

double number_field(const Where& w, const Json& j, const std::string& key, const std::string& ctx)
{
    const Json& v = field(w, j, key, ctx);
    if (!v.is_number()) w.fail(ctx + ": \"" + key + "\" must be a number, got " + v.dump());
    return v.get<double>();
}

// Options added after format_version 1 was first written are optional: absent means the
// default they had before.
SimpleRNNOptions rnn_options(const Where& w, const Json& cfg, const std::string& cctx)
{
    SimpleRNNOptions o;
    o.units = uint_field(w, cfg, "units", cctx);
    o.activation = activation_field(w, cfg, cctx);
    o.use_bias = bool_field(w, cfg, "use_bias", cctx);
    o.return_sequences = bool_field(w, cfg, "return_sequences", cctx);
    o.return_state = bool_field(w, cfg, "return_state", cctx);
    o.go_backwards = bool_field(w, cfg, "go_backwards", cctx);
    o.stateful = bool_field(w, cfg, "stateful", cctx);
    const auto has = [&](const char* k) { return cfg.contains(k); };
    if (has("dropout")) o.dropout = number_field(w, cfg, "dropout", cctx);
    if (has("recurrent_dropout")) o.recurrent_dropout = number_field(w, cfg, "recurrent_dropout", cctx);
    if (has("zero_output_for_mask")) o.zero_output_for_mask = bool_field(w, cfg, "zero_output_for_mask", cctx);
    if (has("seed")) o.seed = uint_field(w, cfg, "seed", cctx);
    return o;
}

template <class T>
std::shared_ptr<Module<T>> make_layer(const Where& w, const Json& l, const std::string& ctx)
{
    const std::string type = str_field(w, l, "type", ctx);
    const Json& cfg = field(w, l, "config", ctx);
    const std::string cctx = ctx + " config";
    try {
        if (type == "SimpleRNN") return std::make_shared<SimpleRNN<T>>(rnn_options(w, cfg, cctx));
        if (type == "Masking")
            return std::make_shared<Masking<T>>(MaskingOptions{number_field(w, cfg, "mask_value", cctx)});
        if (type == "Dropout")
            return std::make_shared<Dropout<T>>(DropoutOptions{number_field(w, cfg, "rate", cctx),
                                                               shape_field(w, cfg, "noise_shape", cctx, false),
                                                               uint_field(w, cfg, "seed", cctx)});
        if (type == "Bidirectional") {
            const Json& inner = field(w, cfg, "layer", cctx);
            const std::string ictx = cctx + " layer";
            if (str_field(w, inner, "type", ictx) != "SimpleRNN")
                w.fail(ictx + ": Bidirectional wraps a SimpleRNN, got \"" + str_field(w, inner, "type", ictx) + "\"");
            SimpleRNN<T> wrapped(rnn_options(w, field(w, inner, "config", ictx), ictx + " config"));
            wrapped.set_name(str_field(w, inner, "name", ictx));
            return std::make_shared<Bidirectional<T>>(
                wrapped, BidirectionalOptions{parse_merge_mode(str_field(w, cfg, "merge_mode", cctx))});
        }
        if (type == "Dense") {
            DenseOptions o;
            o.units = uint_field(w, cfg, "units", cctx);
            o.activation = activation_field(w, cfg, cctx);
            o.use_bias = bool_field(w, cfg, "use_bias", cctx);
            return std::make_shared<Dense<T>>(o);
        }
    } catch (const Error& e) {
        if (std::string(e.what()).rfind("checkpoint ", 0) == 0) throw;
        w.fail(ctx + ": " + e.what());
    }
    w.fail(ctx + ": unknown layer type \"" + type +
           "\" (known: SimpleRNN, Dense, Masking, Dropout, Bidirectional)");
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
    // weights = Σ units·(features + [units if recurrent] + [1 if bias]); features = the previous
    // layer's units, or input_shape's last dimension.
    std::size_t weights = 0, features = input_shape.empty() ? 0 : input_shape.back();
    for (const auto& layer : model.layers()) {
        std::size_t units = 0, extra = 0, copies = 1;
        const SimpleRNN<T>* rnn = dynamic_cast<const SimpleRNN<T>*>(layer.get());
        const auto* bi = dynamic_cast<const Bidirectional<T>*>(layer.get());
        if (bi) {
            rnn = dynamic_cast<const SimpleRNN<T>*>(bi->forward_layer().get());
            copies = 2;
        }
        if (rnn) {
            units = rnn->options().units;
            extra = add(units, rnn->options().use_bias ? 1 : 0);
        } else if (const auto* dense = dynamic_cast<const Dense<T>*>(layer.get())) {
            units = dense->options().units;
            extra = dense->options().use_bias ? 1 : 0;
        } else {
            continue;  // Masking, Dropout: no weights, the features pass through
        }
        weights = add(weights, mul(copies, mul(units, add(features, extra))));
        const bool concat = bi && bi->options().merge_mode == MergeMode::concat;
        features = concat ? mul(2, units) : units;
    }
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
    const Json meta = read_json(w, root / "model.json", "model.json");
    const std::string ctx = "model.json";
    if (str_field(w, meta, "format", ctx) != "elman-checkpoint")
        w.fail("model.json: \"format\" is not \"elman-checkpoint\"");
    const std::size_t version = uint_field(w, meta, "format_version", ctx);
    if (version > static_cast<std::size_t>(checkpoint_format_version))
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
