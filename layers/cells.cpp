#include "layers/cells.hpp"

#include "core/error.hpp"
#include "layers/lstm.hpp"
#include "layers/gru.hpp"
#include "layers/simple_rnn.hpp"

namespace elman {

std::vector<std::string> cell_names() { return {"simple", "lstm", "gru"}; }

void check_cell(const std::string& name)
{
    const std::vector<std::string> names = cell_names();
    std::string expected;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) return;
        expected += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    }
    throw Error("unknown cell \"" + name + "\" (expected " + expected + ")");
}

template <class T>
std::shared_ptr<RecurrentLayer<T>> make_recurrent_layer(const std::string& cell,
                                                        const RecurrentOptions& o)
{
    check_cell(cell);
    if (cell == "lstm")
        return std::make_shared<LSTM<T>>(LSTMOptions{
            .units = o.units, .return_sequences = o.return_sequences, .seed = o.seed,
            .dropout = o.dropout, .recurrent_dropout = o.recurrent_dropout, .fused = o.fused});
    if (cell == "gru")
        return std::make_shared<GRU<T>>(GRUOptions{
            .units = o.units, .return_sequences = o.return_sequences, .seed = o.seed,
            .dropout = o.dropout, .recurrent_dropout = o.recurrent_dropout, .fused = o.fused});
    return std::make_shared<SimpleRNN<T>>(SimpleRNNOptions{
        .units = o.units, .return_sequences = o.return_sequences, .seed = o.seed,
        .dropout = o.dropout, .recurrent_dropout = o.recurrent_dropout, .fused = o.fused});
}

template std::shared_ptr<RecurrentLayer<float>> make_recurrent_layer<float>(
    const std::string&, const RecurrentOptions&);
template std::shared_ptr<RecurrentLayer<double>> make_recurrent_layer<double>(
    const std::string&, const RecurrentOptions&);

}  // namespace elman
