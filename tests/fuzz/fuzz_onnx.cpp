// libFuzzer target for import_onnx (io/onnx_import.cpp, protobuf parsing included). Contract:
// any bytes give an imported, usable model or an elman::Error — never a crash, a sanitizer
// report or another exception type. Seeds: the ONNX fixtures (tests/fixtures/onnx/).
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "io/onnx.hpp"
#include "tests/fuzz/fuzz_scratch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace elman;
    static const std::string path = (fuzz::scratch_dir() / "model.onnx").string();
    fuzz::write_bytes(path, data, size);
    try {
        Sequential<float> model = import_onnx<float>(path);
        (void)model.param_count();
    } catch (const Error&) {
    }
    return 0;
}
