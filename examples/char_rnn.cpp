// A character-level language model in the spirit of Karpathy's min-char-rnn: read text one
// character at a time and learn to predict the next one. SimpleRNN + Dense(softmax), trained
// with truncated BPTT on chapters I and II of Alice's Adventures in Wonderland
// (datasets/data/alice_chapters_1_2.txt, public domain; provenance in datasets/data/README.md).
//
//   x_t  = one-hot(c_t)                          [B,T,V]    V = distinct characters
//   h_t  = tanh(x_t·W_x + h_{t−1}·W_h + b)       SimpleRNN(H, return_sequences, stateful)
//   p_t  = softmax(h_t·W_y + b_y)                Dense(V, softmax)
//   loss = mean over B·T of −log p_t[c_{t+1}]    sparse_categorical_crossentropy (nats/char)
//
// Truncated BPTT (docs/bptt.md, section 6): the text is cut into B parallel streams read T
// characters at a time. The stateful SimpleRNN carries each stream's last h into the next
// chunk as a constant, so the forward pass sees the whole history but the gradient stops at the
// chunk's first step. It prints the loss falling and samples drawn with a temperature, then
// checks that the model beats the unigram baseline (character frequencies alone) on held-out
// text, and exits 1 if not.
//
//   char_rnn [steps]        default 400 (a few seconds, also under ASan);
//                           or ELMAN_CHAR_RNN_STEPS=5000 for a longer run
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/init.hpp"
#include "datasets/builtin.hpp"
#include "layers/dense.hpp"
#include "layers/losses.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"
#include "optim/clipping.hpp"

using namespace elman;

namespace {

constexpr std::size_t B = 16;  // parallel streams (the batch)
constexpr std::size_t T = 25;  // characters per chunk: how far back the gradient reaches
constexpr std::size_t H = 96;  // hidden units

// The characters of the text, sorted; id = index.
struct Vocabulary {
    std::string chars;
    std::array<int, 256> id{};
    explicit Vocabulary(const std::string& text)
    {
        std::array<bool, 256> seen{};
        for (unsigned char c : text) seen[c] = true;
        id.fill(-1);
        for (int c = 0; c < 256; ++c)
            if (seen[c]) {
                id[c] = static_cast<int>(chars.size());
                chars.push_back(static_cast<char>(c));
            }
    }
    std::size_t size() const { return chars.size(); }
};

// x: one-hot [rows, T, V] of text[start_r + t]; y: ids [rows, T] of text[start_r + t + 1].
void chunk(const std::vector<int>& ids, const std::vector<std::size_t>& starts, std::size_t v,
           Tensor<float>& x, Tensor<float>& y)
{
    x = xt::zeros<float>({starts.size(), T, v});
    y = Tensor<float>::from_shape({starts.size(), T});
    for (std::size_t r = 0; r < starts.size(); ++r)
        for (std::size_t t = 0; t < T; ++t) {
            x(r, t, static_cast<std::size_t>(ids[starts[r] + t])) = 1.0f;
            y(r, t) = static_cast<float>(ids[starts[r] + t + 1]);
        }
}

// The trained layers copied into a batch-1 model that steps one character at a time.
struct Sampler {
    SimpleRNN<float> rnn;
    Dense<float> head;
    Tensor<float> h;
    Sampler(const SimpleRNN<float>& r, const Dense<float>& d)
        : rnn({.units = H}), head({.units = d.options().units, .activation = Activation::softmax})
    {
        rnn.set_weights(r.get_weights());
        head.set_weights(d.get_weights());
        h = xt::zeros<float>({std::size_t(1), H});
    }
    // p(next | everything fed so far), after feeding character id c.
    Tensor<float> feed(int c, std::size_t v)
    {
        Tape<float> tape;
        Tensor<float> x = xt::zeros<float>({std::size_t(1), std::size_t(1), v});
        x(0, 0, static_cast<std::size_t>(c)) = 1.0f;
        const Var<float> h0 = tape.constant(h);
        const auto r = rnn.call(tape, tape.constant(x), &h0);
        h = r.state.value();
        return head.forward(tape, r.output).value();
    }
};

// Draws from p^(1/τ) (renormalised): τ < 1 sharpens the distribution, τ > 1 flattens it.
int draw(const Tensor<float>& p, double temperature, Rng& rng)
{
    std::vector<double> w(p.size());
    double total = 0;
    for (std::size_t i = 0; i < p.size(); ++i) total += w[i] = std::pow(p.data()[i], 1.0 / temperature);
    double u = rng.uniform() * total;
    for (std::size_t i = 0; i < w.size(); ++i)
        if ((u -= w[i]) < 0) return static_cast<int>(i);
    return static_cast<int>(w.size() - 1);
}

std::string sample(Sampler s, const Vocabulary& voc, char first, std::size_t n, double temperature,
                   std::uint64_t seed)
{
    Rng rng(seed);
    std::string out(1, first);
    int c = voc.id[static_cast<unsigned char>(first)];
    for (std::size_t i = 0; i < n; ++i) {
        c = draw(s.feed(c, voc.size()), temperature, rng);
        out.push_back(voc.chars[static_cast<std::size_t>(c)]);
    }
    return out;
}

// Mean −log p(next char) over the held-out ids, reading them one at a time from h = 0.
double heldout_loss(Sampler s, const std::vector<int>& ids, std::size_t v)
{
    double total = 0;
    for (std::size_t i = 0; i + 1 < ids.size(); ++i)
        total -= std::log(std::max(s.feed(ids[i], v).data()[ids[i + 1]], 1e-30f));
    return total / static_cast<double>(ids.size() - 1);
}

// The unigram baseline: −mean log q(c) on held-out text, q = training frequencies (add-one).
double unigram_loss(const std::vector<int>& train, const std::vector<int>& test, std::size_t v)
{
    std::vector<double> count(v, 1.0);
    for (int c : train) count[static_cast<std::size_t>(c)] += 1;
    const double n = static_cast<double>(train.size() + v);
    double total = 0;
    for (int c : test) total -= std::log(count[static_cast<std::size_t>(c)] / n);
    return total / static_cast<double>(test.size());
}

std::size_t steps_wanted(int argc, char** argv)
{
    const char* s = argc > 1 ? argv[1] : std::getenv("ELMAN_CHAR_RNN_STEPS");
    if (!s) return 400;
    char* end = nullptr;
    const long n = std::strtol(s, &end, 10);
    if (*end != '\0' || n < 1) {
        std::fprintf(stderr, "char_rnn: steps must be a positive integer, got '%s'\n", s);
        std::exit(2);
    }
    return static_cast<std::size_t>(n);
}

}  // namespace

int main(int argc, char** argv)
{
    const std::size_t steps = steps_wanted(argc, argv);
    const std::string path = data_dir() + "/alice_chapters_1_2.txt";
    std::ifstream in(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in || text.size() < 10 * B * T) {
        std::fprintf(stderr, "char_rnn: cannot read %s (or it is too short)\n", path.c_str());
        return 2;
    }
    const Vocabulary voc(text);
    const std::size_t v = voc.size();
    std::vector<int> ids;
    for (unsigned char c : text) ids.push_back(voc.id[c]);
    // The last 10% is held out: never trained on, read at the end.
    const std::size_t split = ids.size() * 9 / 10;
    const std::vector<int> train(ids.begin(), ids.begin() + static_cast<long>(split));
    const std::vector<int> test(ids.begin() + static_cast<long>(split), ids.end());
    std::printf("%zu characters (%zu for training, %zu held out), %zu distinct\n", ids.size(),
                train.size(), test.size(), v);

    Sequential<float> model;
    auto rnn = model.emplace<SimpleRNN<float>>(
        SimpleRNNOptions{.units = H, .return_sequences = true, .stateful = true, .seed = 1});
    auto head = model.emplace<Dense<float>>(
        DenseOptions{.units = v, .activation = Activation::softmax, .seed = 2});
    model.build({T, v});
    std::printf("%s", model.summary().c_str());
    Adam<float> opt(model.parameters(), {.lr = 0.005f});

    // Stream b reads train[b·L, (b+1)·L); chunk k of every stream is one training step.
    const std::size_t stream = train.size() / B, chunks = (stream - 1) / T;
    const double uniform = std::log(static_cast<double>(v));
    double smooth = uniform;  // min-char-rnn's smoothed training loss, per character
    std::printf("uniform baseline log %zu = %.3f nats/char\n", v, uniform);
    Tensor<float> x, y;
    for (std::size_t step = 0; step < steps; ++step) {
        const std::size_t k = step % chunks;
        if (k == 0) rnn->reset_states();  // a new pass over the text starts from h = 0
        std::vector<std::size_t> starts(B);
        for (std::size_t b = 0; b < B; ++b) starts[b] = b * stream + k * T;
        chunk(train, starts, v, x, y);
        Tape<float> tape;
        // h_0 of this chunk = each stream's last h of the previous chunk, as a constant
        const Var<float> loss = sparse_categorical_crossentropy(
            model.forward(tape, tape.constant(x), {.training = true}), tape.constant(y));
        opt.zero_grad();
        tape.backward(loss);  // reaches back T steps: to this chunk's first character, no further
        clip_grad_value(model.parameters(), 5.0f);  // as min-char-rnn
        opt.step();
        smooth = 0.98 * smooth + 0.02 * loss.item();
        if (step % 100 == 0 || step + 1 == steps) {
            std::string s = sample(Sampler(*rnn, *head), voc, 'A', 60, 1.0, step);
            std::replace(s.begin(), s.end(), '\n', ' ');
            std::printf("step %5zu  loss %.3f, held-out %.3f nats/char  sample: %s\n", step, smooth,
                        heldout_loss(Sampler(*rnn, *head), test, v), s.c_str());
        }
    }

    for (double temperature : {1.0, 0.5})
        std::printf("\n--- temperature %.1f ---\n%s\n", temperature,
                    sample(Sampler(*rnn, *head), voc, 'T', 300, temperature, 7).c_str());
    const double held = heldout_loss(Sampler(*rnn, *head), test, v);
    const double unigram = unigram_loss(train, test, v);
    std::printf("\nheld-out loss %.3f nats/char; baselines: uniform %.3f, unigram %.3f\n", held,
                uniform, unigram);
    if (!(held < unigram)) {
        std::fprintf(stderr, "char_rnn: the model did not beat the unigram baseline\n");
        return 1;
    }
    return 0;
}
