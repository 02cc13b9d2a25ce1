// Which language is a word in? Variable-length sequences, padded and masked, classified by
// a bidirectional SimpleRNN:
//
//   word "brezel" -> letters b,r,e,z,e,l -> one-hot [T,V], right-padded with zero rows to T = 12
//   Masking(0)                 the zero rows are padding: mask [B,T]
//   Bidirectional(SimpleRNN)   reads the letters both ways, skipping the padding; concat of
//                              the two final states, [B,2U]
//   Dense(5, softmax)          P(English, German, French, Italian, Spanish)
//   loss: sparse_categorical_crossentropy on the class id; Keras' Adam
//
// The data: the word lists of five Debian packages, read from /usr/share/dict (wamerican,
// wngerman, wfrench, witalian, wspanish; tools/setup.sh installs them; their provenance and
// licences are in /usr/share/doc/<package>/copyright). Words of 3 to 12 letters, lower-cased,
// letters only (no "'s"), and only words in exactly one of the lists; then every 100th word of
// each list after a seeded shuffle, so the classes keep the lists' proportions (French is the
// largest). 80% train, 20% test, split at random with a fixed seed.
//
// It reports the test accuracy against the majority-class baseline (always answering the
// training set's most frequent language), the accuracy per language, the same weights run
// without the mask (the padding then moves the state), and a few predictions; it exits 1 when
// the model does not beat the baseline by 20 points.
//
//   sequence_classification [epochs]      default 12
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/init.hpp"
#include "layers/accuracy.hpp"
#include "layers/bidirectional.hpp"
#include "layers/dense.hpp"
#include "layers/fit.hpp"
#include "layers/losses.hpp"
#include "layers/masking.hpp"
#include "layers/sequential.hpp"
#include "layers/simple_rnn.hpp"
#include "optim/adam.hpp"

using namespace elman;

namespace {

constexpr std::size_t k_max_len = 12;  // T: words of 3..12 letters, padded to 12
constexpr std::size_t k_every = 100;   // keep every 100th word of a list

struct Language {
    const char* name;
    const char* file;     // in /usr/share/dict
    const char* package;  // the Debian package that ships it
};

const Language k_languages[] = {{"English", "american-english", "wamerican"},
                                {"German", "ngerman", "wngerman"},
                                {"French", "french", "wfrench"},
                                {"Italian", "italian", "witalian"},
                                {"Spanish", "spanish", "wspanish"}};

// UTF-8 -> code points; an invalid sequence gives an empty result (the word is dropped).
std::u32string decode(const std::string& s)
{
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return {};
        char32_t cp = n == 1 ? c : c & (0x7F >> n);
        for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        out.push_back(cp);
        i += static_cast<std::size_t>(n);
    }
    return out;
}

// Lower case for ASCII and Latin-1 letters (and Œ); letters: a-z, ß..ÿ except ÷, œ.
char32_t lower(char32_t c)
{
    if ((c >= U'A' && c <= U'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
    return c == 0x152 ? 0x153 : c;
}
bool letter(char32_t c) { return (c >= U'a' && c <= U'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7) || c == 0x153; }

// The usable words of one list, or exit with a message naming the missing package.
std::vector<std::u32string> read_list(const Language& lang)
{
    const std::string path = std::string("/usr/share/dict/") + lang.file;
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "sequence_classification: cannot open %s; install the Debian package %s "
                     "(tools/setup.sh installs all five word lists)\n", path.c_str(), lang.package);
        std::exit(2);
    }
    std::vector<std::u32string> words;
    for (std::string line; std::getline(in, line);) {
        std::u32string w = decode(line);
        for (char32_t& c : w) c = lower(c);
        if (w.size() >= 3 && w.size() <= k_max_len && std::all_of(w.begin(), w.end(), letter))
            words.push_back(std::move(w));
    }
    return words;
}

struct Sample {
    std::u32string word;
    std::size_t label;
};

// Words in exactly one list, every k_every-th of each list after a seeded shuffle.
std::vector<Sample> load_samples(Rng& rng)
{
    // every (word, list) pair, sorted by word: a word in several lists comes out adjacent
    std::vector<Sample> all;
    for (std::size_t l = 0; l < std::size(k_languages); ++l)
        for (auto& w : read_list(k_languages[l])) all.push_back({std::move(w), l});
    std::sort(all.begin(), all.end(), [](const Sample& a, const Sample& b) {
        return a.word != b.word ? a.word < b.word : a.label < b.label;
    });
    all.erase(std::unique(all.begin(), all.end(),
                          [](const Sample& a, const Sample& b) {
                              return a.word == b.word && a.label == b.label;
                          }),
              all.end());
    std::vector<std::vector<Sample>> own(std::size(k_languages));
    for (std::size_t i = 0; i < all.size(); ++i) {
        const bool shared = (i > 0 && all[i - 1].word == all[i].word) ||
                            (i + 1 < all.size() && all[i + 1].word == all[i].word);
        if (!shared) own[all[i].label].push_back(std::move(all[i]));
    }
    std::vector<Sample> out;
    for (auto& list : own) {
        for (std::size_t i = list.size(); i > 1; --i) std::swap(list[i - 1], list[rng.below(i)]);
        for (std::size_t i = 0; i < list.size(); i += k_every) out.push_back(list[i]);
    }
    for (std::size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[rng.below(i)]);
    return out;
}

std::string utf8(const std::u32string& w)
{
    std::string s;
    for (char32_t c : w) {
        if (c < 0x80) {
            s += static_cast<char>(c);
        } else {  // all our letters are below U+0800: two bytes
            s += static_cast<char>(0xC0 | (c >> 6));
            s += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return s;
}

// The most probable class of row i of p [N,C].
std::size_t argmax_row(const Tensor<float>& p, std::size_t i)
{
    std::size_t best = 0;
    for (std::size_t k = 1; k < p.shape()[1]; ++k) best = p(i, k) > p(i, best) ? k : best;
    return best;
}

// x: one-hot [N, T, V], zero rows after each word's last letter; y: class ids [N].
void encode(const std::vector<Sample>& samples, std::size_t begin, std::size_t end,
            const std::map<char32_t, std::size_t>& alphabet, Tensor<float>& x, Tensor<float>& y)
{
    x = zeros<float>({end - begin, k_max_len, alphabet.size()});
    y = Tensor<float>::from_shape({end - begin});
    for (std::size_t i = begin; i < end; ++i) {
        const auto& w = samples[i].word;
        for (std::size_t t = 0; t < w.size(); ++t) x(i - begin, t, alphabet.at(w[t])) = 1.0f;
        y(i - begin) = static_cast<float>(samples[i].label);
    }
}

// Prints the test accuracy, the majority-class baseline (always answering the training set's
// most frequent language) and the accuracy per language; returns the accuracy and sets
// `baseline`.
double report(const std::vector<Sample>& samples, std::size_t n_train, const Tensor<float>& p,
              const Tensor<float>& y_test, double& baseline)
{
    std::vector<std::size_t> train_count(5, 0), test_count(5, 0), right(5, 0);
    for (std::size_t i = 0; i < n_train; ++i) ++train_count[samples[i].label];
    const std::size_t majority = static_cast<std::size_t>(
        std::max_element(train_count.begin(), train_count.end()) - train_count.begin());
    for (std::size_t i = 0; i < p.shape()[0]; ++i) {
        const std::size_t label = static_cast<std::size_t>(y_test(i));
        ++test_count[label];
        right[label] += argmax_row(p, i) == label;
    }
    const double accuracy = sparse_categorical_accuracy(p, y_test);
    baseline = static_cast<double>(test_count[majority]) / static_cast<double>(p.shape()[0]);
    std::printf("\ntest accuracy %.1f%%; majority-class baseline (always %s) %.1f%%\n",
                100 * accuracy, k_languages[majority].name, 100 * baseline);
    for (std::size_t k = 0; k < 5; ++k)
        std::printf("  %-8s %4zu test words, %5.1f%% right\n", k_languages[k].name, test_count[k],
                    test_count[k] ? 100.0 * right[k] / test_count[k] : 0.0);
    return accuracy;
}

}  // namespace

int main(int argc, char** argv)
{
    const std::size_t epochs = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 12;
    Rng rng(2024);
    const std::vector<Sample> samples = load_samples(rng);
    std::map<char32_t, std::size_t> alphabet;
    for (const auto& s : samples)
        for (char32_t c : s.word) alphabet.emplace(c, 0);
    std::size_t v = 0;
    for (auto& [c, id] : alphabet) id = v++;
    const std::size_t n_train = samples.size() * 4 / 5;
    Tensor<float> x_train, y_train, x_test, y_test;
    encode(samples, 0, n_train, alphabet, x_train, y_train);
    encode(samples, n_train, samples.size(), alphabet, x_test, y_test);
    std::printf("%zu words (%zu train, %zu test), %zu letters, padded to %zu steps\n",
                samples.size(), n_train, samples.size() - n_train, v, k_max_len);

    Sequential<float> model;
    model.emplace<Masking<float>>();
    model.emplace<Bidirectional<float>>(SimpleRNN<float>({.units = 32, .seed = 1}));
    model.emplace<Dense<float>>(DenseOptions{.units = 5, .activation = Activation::softmax,
                                             .seed = 2});
    model.build({k_max_len, v});
    std::printf("%s", model.summary().c_str());

    Adam<float> opt(model.parameters(), AdamOptions<float>::keras(0.01f));
    const LossFn<float> loss = [](const Var<float>& p, const Var<float>& t) {
        return sparse_categorical_crossentropy(p, t);
    };
    fit(model, opt, x_train, y_train,
        {.epochs = epochs, .batch_size = 64, .seed = 3, .verbose = false,
         .on_epoch_end = [](const EpochLog<float>& e) {
             std::printf("epoch %2zu  loss %.4f\n", e.epoch + 1, static_cast<double>(e.loss));
         }},
        loss);

    const Tensor<float> p = predict(model, x_test);
    double baseline = 0;
    const double accuracy = report(samples, n_train, p, y_test, baseline);

    // The same weights without Masking: the zero rows after each word now move the state.
    Sequential<float> unmasked;
    unmasked.add(model.layers()[1]);
    unmasked.add(model.layers()[2]);
    const double without = sparse_categorical_accuracy(predict(unmasked, x_test), y_test);
    std::printf("the same weights without the mask: %.1f%%\n", 100 * without);

    std::printf("\nsome test words:\n");
    for (std::size_t i = 0; i < 8; ++i) {
        const std::size_t best = argmax_row(p, i);
        const std::size_t label = samples[n_train + i].label;
        std::printf("  %-14s %-8s %.2f  (%s)\n", utf8(samples[n_train + i].word).c_str(),
                    k_languages[best].name, static_cast<double>(p(i, best)),
                    best == label ? "right" : k_languages[label].name);
    }
    if (accuracy < baseline + 0.20) {
        std::printf("FAILED: %.1f%% does not beat the baseline by 20 points\n", 100 * accuracy);
        return 1;
    }
    return 0;
}
