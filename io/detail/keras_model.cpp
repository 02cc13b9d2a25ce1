#include "io/detail/keras_model.hpp"

#include <functional>
#include <map>
#include <set>

#include "core/error.hpp"

namespace elman::detail {

namespace {

std::string str_or(const Json& j, const char* key, const std::string& fallback = "")
{
    return j.is_object() && j.contains(key) && j.at(key).is_string() ? j.at(key).get<std::string>() : fallback;
}

// [null, 10, 1] -> batch 0, shape {10, 1}. Nullopt when j is not such a list.
std::optional<std::pair<std::size_t, Shape>> batch_shape(const Json& j)
{
    if (!j.is_array() || j.size() < 2 || j.size() > 8) return std::nullopt;
    std::size_t batch = 0;
    Shape s;
    for (std::size_t i = 0; i < j.size(); ++i) {
        std::size_t d = 0;
        if (j[i].is_number_unsigned() && j[i].get<std::uint64_t>() < (1u << 30)) d = j[i].get<std::size_t>();
        else if (!j[i].is_null()) return std::nullopt;
        if (i == 0) batch = d;
        else s.push_back(d);
    }
    return std::make_pair(batch, s);
}

// The input shape a layer's config declares, if any (InputLayer or a first layer).
std::optional<std::pair<std::size_t, Shape>> declared_input(const KerasLayerEntry& l)
{
    for (const char* key : {"batch_shape", "batch_input_shape"})
        if (l.config.is_object() && l.config.contains(key))
            if (auto s = batch_shape(l.config.at(key))) return s;
    // Keras 1: input_dim (and input_length) on the first layer.
    if (l.config.is_object() && l.config.contains("input_dim") && l.config["input_dim"].is_number_unsigned()) {
        const std::size_t t = l.config.contains("input_length") && l.config["input_length"].is_number_unsigned()
                                  ? l.config["input_length"].get<std::size_t>() : 0;
        const std::size_t f = l.config["input_dim"].get<std::size_t>();
        if (l.class_name == "Dense") return std::make_pair(std::size_t(0), Shape{f});
        return std::make_pair(std::size_t(0), Shape{t, f});
    }
    return std::nullopt;
}

KerasLayerEntry entry(const Json& l, const std::string& where)
{
    if (!l.is_object() || !l.contains("class_name") || !l["class_name"].is_string())
        throw Error(where + ": a layer entry has no \"class_name\": " + l.dump().substr(0, 200));
    const Json cfg = l.contains("config") && l["config"].is_object() ? l["config"] : Json::object();
    KerasLayerEntry e{l["class_name"].get<std::string>(), cfg};
    // Functional entries carry the name beside the config too.
    if (!e.config.contains("name") && l.contains("name") && l["name"].is_string()) e.config["name"] = l["name"];
    return e;
}

// [[name, node, tensor]] (Keras 2), [name, node, tensor] (Keras 3 with one input), or a list
// of either: the names.
std::vector<std::string> endpoint_names(const Json& j)
{
    std::vector<std::string> names;
    if (j.is_array() && !j.empty() && j[0].is_string()) return {j[0].get<std::string>()};
    if (j.is_array())
        for (const Json& e : j) {
            auto n = endpoint_names(e);
            names.insert(names.end(), n.begin(), n.end());
        }
    return names;
}

// The (layer name, tensor index) of every tensor a node of inbound_nodes consumes.
void node_inputs(const Json& node, std::vector<std::pair<std::string, std::size_t>>& out)
{
    if (node.is_object()) {
        // Keras 3: {"class_name": "__keras_tensor__", "config": {"keras_history": [name, 0, 0]}}
        if (node.contains("keras_history") && node["keras_history"].is_array() && node["keras_history"].size() >= 3 &&
            node["keras_history"][0].is_string()) {
            const Json& h = node["keras_history"];
            out.emplace_back(h[0].get<std::string>(), h[2].is_number_unsigned() ? h[2].get<std::size_t>() : 0);
            return;
        }
        for (const auto& [k, v] : node.items()) node_inputs(v, out);
        return;
    }
    if (!node.is_array()) return;
    // Keras 1/2: [name, node_index, tensor_index(, kwargs)]
    if (node.size() >= 3 && node[0].is_string() && node[1].is_number() && node[2].is_number()) {
        out.emplace_back(node[0].get<std::string>(), node[2].is_number_unsigned() ? node[2].get<std::size_t>() : 0);
        return;
    }
    for (const Json& e : node) node_inputs(e, out);
}

// Orders a Functional model's layers along its single chain, input to output.
std::vector<KerasLayerEntry> functional_chain(const Json& cfg, const std::string& where)
{
    const Json& layers = cfg.at("layers");
    std::map<std::string, const Json*> by_name;
    std::map<std::string, std::pair<std::string, std::size_t>> inbound;  // layer -> (producer, tensor)
    for (const Json& l : layers) {
        const KerasLayerEntry e = entry(l, where);
        const std::string name = str_or(e.config, "name");
        if (name.empty()) throw Error(where + ": a layer of class " + e.class_name + " has no name");
        by_name[name] = &l;
        const Json nodes = l.contains("inbound_nodes") ? l["inbound_nodes"] : Json::array();
        if (e.class_name == "InputLayer") continue;
        if (!nodes.is_array() || nodes.size() != 1)
            throw Error(where + ": layer '" + name + "' (" + e.class_name + ") is called " + std::to_string(nodes.is_array() ? nodes.size() : 0) +
                        " times; elman reads Functional models that are a single chain (each layer used once)");
        std::vector<std::pair<std::string, std::size_t>> ins;
        node_inputs(nodes[0], ins);
        if (ins.size() != 1)
            throw Error(where + ": layer '" + name + "' (" + e.class_name + ") takes " + std::to_string(ins.size()) +
                        " inputs; elman reads Functional models that are a single chain");
        inbound[name] = ins[0];
    }
    // A layer fed output k > 0 of a recurrent layer (return_state=True) gets its final state:
    // output 1 (h) is the same numbers as output 0 only without return_sequences; an LSTM's
    // output 2 is its cell state c, never its output. elman passes output 0 on.
    for (const auto& [name, in] : inbound) {
        if (in.second == 0 || !by_name.count(in.first)) continue;
        const KerasLayerEntry p = entry(*by_name[in.first], where);
        const bool rs = p.config.contains("return_sequences") && p.config["return_sequences"] == true;
        const bool recurrent = p.class_name == "SimpleRNN" || p.class_name == "RNN" || p.class_name == "LSTM" || p.class_name == "GRU";
        if (!recurrent || rs || in.second > 1)
            throw Error(where + ": layer '" + name + "' takes output " + std::to_string(in.second) + " of layer '" + in.first + "' (" +
                        p.class_name + "); elman passes on a layer's first output only");
    }
    const auto outs = endpoint_names(cfg.contains("output_layers") ? cfg["output_layers"] : Json());
    const auto ins = endpoint_names(cfg.contains("input_layers") ? cfg["input_layers"] : Json());
    if (outs.size() != 1 || ins.size() != 1)
        throw Error(where + ": the model has " + std::to_string(ins.size()) + " inputs and " + std::to_string(outs.size()) +
                    " outputs; elman reads single-input, single-output chains");
    std::vector<KerasLayerEntry> chain;
    std::set<std::string> seen;
    for (std::string at = outs[0];;) {
        if (!by_name.count(at)) throw Error(where + ": the model refers to a layer '" + at + "' it does not list");
        if (!seen.insert(at).second) throw Error(where + ": the layers form a cycle at '" + at + "'");
        const KerasLayerEntry e = entry(*by_name[at], where);
        if (e.class_name == "InputLayer") {
            if (at != ins[0]) throw Error(where + ": the chain from the output reaches input '" + at + "', not the model's input");
            chain.push_back(e);
            break;
        }
        chain.push_back(e);
        if (!inbound.count(at)) throw Error(where + ": layer '" + at + "' has no input");
        at = inbound[at].first;
    }
    if (seen.size() != by_name.size())
        for (const auto& [name, l] : by_name)
            if (!seen.count(name))
                throw Error(where + ": layer '" + name + "' is not on the path from the input to the output; elman reads "
                            "Functional models that are a single chain");
    return {chain.rbegin(), chain.rend()};
}

}  // namespace

KerasModelSpec parse_keras_model(const Json& root, const std::string& where)
{
    if (!root.is_object() || !root.contains("class_name") || !root["class_name"].is_string())
        throw Error(where + ": the model config has no \"class_name\"");
    const std::string cls = root["class_name"].get<std::string>();
    const Json cfg = root.contains("config") ? root["config"] : Json();
    KerasModelSpec spec;
    std::vector<KerasLayerEntry> all;
    if (cls == "Sequential") {
        const Json& layers = cfg.is_array() ? cfg : (cfg.is_object() && cfg.contains("layers") ? cfg["layers"] : Json());
        if (!layers.is_array()) throw Error(where + ": the Sequential config has no \"layers\" list");
        for (const Json& l : layers) all.push_back(entry(l, where));
        spec.name = str_or(cfg, "name", "sequential");
    } else if (cls == "Functional" || cls == "Model") {
        if (!cfg.is_object() || !cfg.contains("layers") || !cfg["layers"].is_array())
            throw Error(where + ": the " + cls + " config has no \"layers\" list");
        all = functional_chain(cfg, where);
        spec.functional = true;
        spec.name = str_or(cfg, "name", "functional");
    } else {
        throw Error(where + ": model class '" + cls + "' is not supported (Sequential, or a Functional model that is a single chain)");
    }
    for (const KerasLayerEntry& l : all) {
        if (!spec.input_shape)
            if (auto s = declared_input(l)) spec.batch = s->first, spec.input_shape = s->second;
        if (l.class_name != "InputLayer") spec.layers.push_back(l);
    }
    if (!spec.input_shape && cfg.is_object() && cfg.contains("build_input_shape"))
        if (auto s = batch_shape(cfg["build_input_shape"])) spec.batch = s->first, spec.input_shape = s->second;
    if (spec.layers.empty()) throw Error(where + ": the model has no layers besides its input");
    return spec;
}

bool keras_before_3(const std::string& version)
{
    return version.empty() || version[0] < '3';
}

template <class T>
Sequential<T> make_keras_model(const KerasModelSpec& spec, const std::string& where)
{
    Sequential<T> model;
    model.set_name(spec.name);
    for (const KerasLayerEntry& l : spec.layers) {
        const std::string name = str_or(l.config, "name", "?");
        model.add(layer_from_keras<T>(l.class_name, l.config, where + ": layer '" + name + "' (" + l.class_name + ")",
                                      spec.dialect));
    }
    return model;
}

std::vector<std::string> keras_layer_folders(const KerasModelSpec& spec, const std::string& root)
{
    std::map<std::string, std::size_t> used;
    std::vector<std::string> folders;
    // A Functional model's layers list starts with its InputLayer; it has no variables but
    // takes its own name, "input_layer", which no other class shares.
    for (const KerasLayerEntry& l : spec.layers) {
        std::string name = to_snake_case(l.class_name);
        const auto it = used.find(name);
        if (it == used.end()) used[name] = 0;
        else name += "_" + std::to_string(++it->second);
        folders.push_back(root + "/" + name);
    }
    return folders;
}

template Sequential<float> make_keras_model<float>(const KerasModelSpec&, const std::string&);
template Sequential<double> make_keras_model<double>(const KerasModelSpec&, const std::string&);

}  // namespace elman::detail
