// libFuzzer target for the .npy reader of checkpoints (io/npy.cpp, through io/checkpoint.cpp). Contract under
// test: any bytes in a weight file give a loaded model or an elman::Error — never a crash, a
// sanitizer report, another exception type, or a model whose weights have the wrong shape.
//
// Each input replaces weights/simple_rnn__recurrent_kernel.npy ([2,2]) of a float32 and of a
// float64 checkpoint, and both are loaded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/error.hpp"
#include "tests/fuzz/fuzz_checkpoint.hpp"
#include "tests/fuzz/fuzz_scratch.hpp"

namespace {

template <class T>
void load(const std::string& dir)
{
    try {
        elman::Sequential<T> model = elman::load_model<T>(dir);
        for (const elman::Parameter<T>* p : model.parameters())
            if (p->name == "simple_rnn/recurrent_kernel" && p->value.shape() != elman::Shape{2, 2})
                std::abort();
    } catch (const elman::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace elman;
    static const std::string f32 = fuzz::make_checkpoint<float>(fuzz::scratch_dir() / "f32");
    static const std::string f64 = fuzz::make_checkpoint<double>(fuzz::scratch_dir() / "f64");
    for (const std::string& dir : {f32, f64})
        fuzz::write_bytes(std::filesystem::path(dir) / "weights" / "simple_rnn__recurrent_kernel.npy", data, size);
    load<float>(f32);
    load<double>(f64);
    return 0;
}
