// libFuzzer target for the HDF5 readers (io/keras_read.cpp, io/detail/hdf5.cpp): each input
// is an .h5 file, loaded as a legacy full-model file (model_config, layer_names, weight_names)
// and as a weights-only file into SimpleRNN(4) -> Dense(1). Contract: a model or an
// elman::Error, never a crash, a sanitizer report, another exception type or a hang. Seeds:
// the .h5 fixtures (tests/fixtures/keras/).
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "io/keras.hpp"
#include "layers/dense.hpp"
#include "layers/simple_rnn.hpp"
#include "tests/fuzz/fuzz_scratch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace elman;
    static const std::string path = (fuzz::scratch_dir() / "model.h5").string();
    fuzz::write_bytes(path, data, size);
    try {
        Sequential<float> model = load_keras<float>(path);
        (void)model.param_count();
    } catch (const Error&) {
    }
    try {
        Sequential<float> model;
        model.emplace<SimpleRNN<float>>(SimpleRNNOptions{.units = 4});
        model.emplace<Dense<float>>(DenseOptions{.units = 1});
        load_keras_weights(path, model);
    } catch (const Error&) {
    }
    return 0;
}
