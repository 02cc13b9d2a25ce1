#include "tools/model_commands.hpp"

#include <filesystem>

#include "core/error.hpp"
#include "io/model_file.hpp"
#include "io/npy.hpp"
#include "io/onnx.hpp"
#include "layers/fit.hpp"

namespace elman::tools {

namespace {

template <class T>
std::string predict_as(const ArrayPredictArgs& a, const char* dtype)
{
    const Tensor<T> x = load_npy<T>(a.input, {.convert = true});
    if (x.dimension() < 2 || x.shape()[0] == 0)
        throw Error("--input " + a.input + ": expected an array [N, T, F] (or [N, F]) with N >= 1, got " + shape_str(x.shape()));
    Sequential<T> model = load_model_file<T>(a.model);
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

std::string convert_model(const std::string& in, const std::string& out)
{
    const ModelFormat from = model_format(in), to = model_format(out);
    const Sequential<float> model = load_model_file<float>(in);
    save_model_file(out, model);
    return "converted " + in + " (" + to_string(from) + ") to " + out + " (" + to_string(to) + ")";
}

std::string summarize_model(const std::string& path)
{
    const ModelFormat f = model_format(path);
    std::string head = path + " (" + to_string(f) + ")\n";
    if (f == ModelFormat::onnx) {
        OnnxImportReport rep;
        const Sequential<float> m = import_onnx<float>(path, {}, &rep);
        if (rep.input_time_major) head += "note: the graph's input '" + rep.input_name + "' is time major [T,B,F]; elman takes it batch first [B,T,F]\n";
        if (rep.output_time_major) head += "note: the graph's output '" + rep.output_name + "' keeps ONNX's layout; elman returns [B,T,U] or [B,U]\n";
        return head + m.summary();
    }
    return head + load_model_file<float>(path).summary();
}

}  // namespace elman::tools
