// What saving and loading a checkpoint share (io/checkpoint.cpp, io/checkpoint_save.cpp): the
// error prefix, dtype names, the weight files' names and the target directory. Internal to io/.
#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/tensor.hpp"
#include "layers/module.hpp"

namespace elman::detail::checkpoint {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// "checkpoint ckpt/: ..." — every load/save error starts with this.
struct Where {
    std::string dir;
    [[noreturn]] void fail(const std::string& msg) const { throw Error("checkpoint " + dir + ": " + msg); }
};

inline std::string errno_str() { return std::strerror(errno); }

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
inline std::string weight_file(const std::string& layer, std::string weight)
{
    for (std::size_t at; (at = weight.find('/')) != std::string::npos;) weight.replace(at, 1, "__");
    return "weights/" + layer + "__" + weight + ".npy";
}

// The checkpoint directory `dir` names, normalised ("ckpt/" -> "ckpt"). Throws elman::Error
// for an empty name.
inline fs::path target_path(const std::string& dir)
{
    if (dir.empty()) throw Error("checkpoint: the directory name is empty");
    fs::path p = fs::path(dir).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();
    return p;
}

}  // namespace elman::detail::checkpoint
