// The checkpoint the checkpoint fuzz targets start from: SimpleRNN(2) -> Dense(1) on inputs of
// any length with one feature, saved by save_checkpoint. A target then overwrites one of its
// files with the fuzz input and loads the whole checkpoint.
#pragma once

#include <filesystem>
#include <string>

#include "io/checkpoint.hpp"
#include "layers/dense.hpp"
#include "layers/simple_rnn.hpp"

namespace elman::fuzz {

template <class T>
std::string make_checkpoint(const std::filesystem::path& dir)
{
    Sequential<T> model;
    model.template emplace<SimpleRNN<T>>(SimpleRNNOptions{.units = 2, .seed = 1});
    model.template emplace<Dense<T>>(DenseOptions{.units = 1, .seed = 2});
    model.build({0, 1});
    save_checkpoint(dir.string(), model);
    return dir.string();
}

}  // namespace elman::fuzz
