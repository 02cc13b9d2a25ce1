#include "tools/model_commands.hpp"

#include <filesystem>

#include "core/error.hpp"
#include "io/model_file.hpp"
#include "io/keras.hpp"
#include "io/npy.hpp"
#include "io/onnx.hpp"
#include "layers/fit.hpp"
#include "layers/recurrent.hpp"

namespace elman::tools {

template <class T>
Sequential<T> read_model_file(const std::string& path, const std::string& onnx_output)
{
    if (model_format(path) != ModelFormat::onnx) {
        if (!onnx_output.empty()) throw Error("--onnx-output " + onnx_output + ": " + path + " is not an .onnx file");
        return load_model_file<T>(path);
    }
    OnnxImportOptions<T> o;
    o.output = onnx_output;
    return import_onnx<T>(path, o);
}

template Sequential<float> read_model_file<float>(const std::string&, const std::string&);
template Sequential<double> read_model_file<double>(const std::string&, const std::string&);

namespace {

// The first stateful recurrent layer's name, or "".
template <class T>
std::string stateful_layer(const Sequential<T>& model)
{
    for (const auto& l : model.layers())
        if (const auto* rnn = dynamic_cast<const RecurrentLayer<T>*>(l.get()); rnn && rnn->stateful()) return rnn->name();
    return "";
}

template <class T>
std::string predict_as(const ArrayPredictArgs& a, const char* dtype)
{
    const Tensor<T> x = load_npy<T>(a.input, {.convert = true});
    if (x.dimension() < 2 || x.shape()[0] == 0)
        throw Error("--input " + a.input + ": expected an array [N, T, F] (or [N, F]) with N >= 1, got " + shape_str(x.shape()));
    Sequential<T> model = read_model_file<T>(a.model, a.onnx_output);
    const Shape want = model.input_shape();
    const Shape got(x.shape().begin() + 1, x.shape().end());
    bool fits = got.size() == want.size();
    for (std::size_t i = 0; fits && i < got.size(); ++i) fits = want[i] == 0 || want[i] == got[i];
    if (!fits) {
        std::string w = "[N";
        for (std::size_t d : want) w += "," + (d == 0 ? std::string("any") : std::to_string(d));
        throw Error("--input " + a.input + ": shape " + shape_str(x.shape()) + " does not fit the model, which takes " + w + "]");
    }
    const Tensor<T> y = predict(model, x, a.batch_size);
    save_npy(a.output, y);
    return a.output + ": " + shape_str(y.shape()) + " " + dtype + " from " + a.model;
}

}  // namespace

std::string predict_array(const ArrayPredictArgs& a)
{
    if (a.output.empty()) throw Error("predict --input needs --output Y.npy");
    if (a.batch_size == 0) throw Error("--batch-size must be >= 1");
    if (npy_descr_of(a.input) == "<f8") return predict_as<double>(a, "float64");
    return predict_as<float>(a, "float32");
}

std::string convert_model(const ConvertArgs& a)
{
    const std::string &in = a.in, &out = a.out;
    const ModelFormat from = model_format(in), to = model_format(out);
    // Converting a file onto itself would rewrite the user's file with only what elman keeps
    // (a .keras file would lose its compile_config): refused.
    std::error_code ec;
    if (std::filesystem::equivalent(in, out, ec))
        throw Error("convert: " + in + " and " + out + " are the same file; write the converted model elsewhere");
    if (a.batch_size && to != ModelFormat::keras) throw Error("convert: --batch-size is recorded in a .keras file only");
    const Sequential<float> model = read_model_file<float>(in, a.onnx_output);
    if (to == ModelFormat::onnx && !a.state_io)
        if (const std::string layer = stateful_layer(model); !layer.empty())
            throw Error("convert: layer '" + layer + "' is stateful: in ONNX its state becomes a second graph input and "
                        "output, which elman predict and summary cannot read back; give --state-io to write it for a "
                        "runtime that carries the state (onnxruntime), or convert to .keras or a checkpoint directory");
    if (to == ModelFormat::keras)
        save_keras(out, model, KerasSaveOptions{.batch_size = a.batch_size});
    else
        save_model_file(out, model);
    return "converted " + in + " (" + to_string(from) + ") to " + out + " (" + to_string(to) + ")";
}

std::string summarize_model(const std::string& path, const std::string& onnx_output)
{
    const ModelFormat f = model_format(path);
    std::string head = path + " (" + to_string(f) + ")\n";
    if (f == ModelFormat::onnx) {
        OnnxImportReport rep;
        OnnxImportOptions<float> o;
        o.output = onnx_output;
        const Sequential<float> m = import_onnx<float>(path, o, &rep);
        if (rep.input_time_major) head += "note: the graph's input '" + rep.input_name + "' is time major [T,B,F]; elman takes it batch first [B,T,F]\n";
        if (rep.output_time_major) head += "note: the graph's output '" + rep.output_name + "' keeps ONNX's layout; elman returns [B,T,U] or [B,U]\n";
        return head + m.summary();
    }
    return head + read_model_file<float>(path, onnx_output).summary();
}

}  // namespace elman::tools
