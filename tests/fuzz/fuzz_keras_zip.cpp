// libFuzzer target for the .keras reader (io/keras_read.cpp through libzip, the config JSON
// and HDF5). Contract under test: any bytes in a .keras file give a loaded, usable model or an
// elman::Error — never a crash, a sanitizer report, another exception type, a hang or an
// allocation beyond libFuzzer's limit. Seeds: the .keras fixtures (tests/fixtures/keras/).
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "io/keras.hpp"
#include "tests/fuzz/fuzz_scratch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace elman;
    static const std::string path = (fuzz::scratch_dir() / "model.keras").string();
    fuzz::write_bytes(path, data, size);
    try {
        Sequential<float> model = load_keras<float>(path);
        (void)model.param_count();
    } catch (const Error&) {
    }
    return 0;
}
