// libFuzzer target for the architecture JSON reader of checkpoints (model.json, read by
// load_model in io/checkpoint.cpp). Contract under test: any bytes give a loaded model or an
// elman::Error — never a crash, a sanitizer report, another exception type (nlohmann's
// included) or an allocation beyond libFuzzer's memory limit.
//
// Each input replaces model.json of a valid float32 checkpoint of SimpleRNN(2) -> Dense(1), so
// inputs naming that architecture load its weight files and get as far as a model.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "tests/fuzz/fuzz_checkpoint.hpp"
#include "tests/fuzz/fuzz_scratch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace elman;
    static const std::string dir = fuzz::make_checkpoint<float>(fuzz::scratch_dir() / "ckpt");
    fuzz::write_bytes(std::filesystem::path(dir) / "model.json", data, size);
    try {
        Sequential<float> model = load_model<float>(dir);
        // A loaded model must be usable: built, with a parameter count.
        (void)model.param_count();
    } catch (const Error&) {
    }
    return 0;
}
