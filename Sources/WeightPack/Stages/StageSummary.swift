import TensorCore

/// A recorded stage in a few words, with the parameters that tell two uses of it apart: `quant:int4:group=32`,
/// `cluster:4bit`, `prune:0.5`, `ecsq:snr=30`, `lowrank:rank=64`, `ggml:q4_0`, `zstd:3`.
enum StageSummary {
    /// The stage's name and its distinguishing parameters, `:`-separated like recipe text.
    static func text(of stage: StageDescriptor) -> String {
        let p = stage.parameters
        var words = [stage.name]
        switch stage.name {
        case "quant":
            words.append(p["format"] ?? "?")
            if p["mode"] == "asym" { words.append("asym") }
            if p["granularity"] == "group", let group = p["group"] { words.append("group=\(group)") }
            if p["granularity"] == "per_tensor" { words.append("per_tensor") }
            if p["scale"] == "f16" { words.append("scale=f16") }
        case "ggml": words.append(p["type"] ?? "?")
        case "ecsq":
            if let target = p["target_snr_db"] {
                words.append("snr=\(target)")
            } else if let relative = p["rel"] {
                words.append("rel=\(relative)")
            } else if let step = p["step"] {
                words.append("step=\(step)")
            }
        case "cluster": words.append("\(p["bits"] ?? "?")bit")
        case "prune": if let sparsity = p["sparsity"] { words.append(sparsity) }
        case "lowrank": words.append("rank=\(p["rank"] ?? "?")")
        case "zstd": if let level = p["level"] { words.append(level) }
        default: break
        }
        return words.joined(separator: ":")
    }

    /// The chain as `inspect` shows it: stage summaries joined by ` > `; empty for no stages.
    static func chain(_ stages: [StageDescriptor]) -> String {
        stages.map(text(of:)).joined(separator: " > ")
    }
}
