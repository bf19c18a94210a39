// In-process timings of WeightPack's kernels, for bench/bench.py to set beside the in-process peers of
// bench/peers.py: the model is loaded before the clock starts, as the peers load theirs, so that the
// comparison is kernel against kernel. Prints one JSON object (the keys of bench/peers.py):
//
//   wall, cpu    seconds of the best repetition (wall clock; user + sys of all threads from getrusage)
//   walls        every repetition's wall time
//   out_bytes    the size of what the job produced (tensor data only, as the peers count it)
//   rss_kb       the process's peak resident set, the loaded model included
//
// Jobs:
//   gguf MODEL Q8_0|Q4_0 REPS   GGMLBlockQuantizer over every 2-D float tensor whose rows divide into blocks of
//                               32 (the tensors `convert --quant` and gguf-py's quantize take), others counted
//                               at their size, as bench/peers.py's `gguf` job does
//   int8-decode MODEL REPS      the inverse of int8-zstd: zstd decompression of each section, then the quant
//                               stage's decoder back to float32 (the encoded sections are made before timing),
//                               as bench/peers.py's `int8-decode` job does in numpy
//   int8-zstd MODEL REPS        the int8 preset's stages (`quant:int8|zstd`: per-row symmetric int8, then each
//                               section through zstd level 3) over every 2+-D float tensor, others through zstd
//                               alone, keeping the smaller; the job bench/peers.py's `int8-zstd` does in numpy
import Codecs
import Foundation
import TensorCore
import Transforms
import WeightPack

struct Usage: Error, CustomStringConvertible {
    var description: String
}

/// One loaded tensor: its name, shape and Float32 elements (nil for tensors the job leaves as bytes).
struct Loaded {
    var name: String
    var shape: Shape
    var values: [Float]?
    var bytes: Data
}

func load(_ path: String, keep: (TensorInfo) -> Bool) throws -> [Loaded] {
    let source = try openTensorSource(path: path)
    return try source.tensorInfos.map { info in
        let tensor = try source.decodedTensor(info)
        let values = keep(info) ? try tensor.float32Values() : nil
        return Loaded(
            name: info.name, shape: info.shape, values: values, bytes: values == nil ? Data(tensor.data) : Data())
    }
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

func peakResidentKilobytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss
}

func timed(_ repetitions: Int, _ job: () throws -> Int) rethrows -> [String: Any] {
    var walls: [Double] = []
    var cpus: [Double] = []
    var produced = 0
    for _ in 0..<repetitions {
        let cpu = cpuSeconds()
        let start = ContinuousClock.now
        produced = try job()
        let elapsed = ContinuousClock.now - start
        walls.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        cpus.append(cpuSeconds() - cpu)
    }
    let best = walls.indices.min { walls[$0] < walls[$1] }!
    return ["wall": walls[best], "cpu": cpus[best], "walls": walls, "out_bytes": produced]
}

func ggufJob(_ path: String, _ type: String, _ repetitions: Int) throws -> [String: Any] {
    let format: GGMLBlockFormat
    switch type.uppercased() {
    case "Q8_0": format = .q8_0
    case "Q4_0": format = .q4_0
    default: throw Usage(description: "gguf: the type is Q8_0 or Q4_0, not \(type)")
    }
    let tensors = try load(path) { info in
        info.dtype.isFloatingPoint && info.shape.count == 2 && info.shape.dimensions[1] % 32 == 0
            && info.shape.dimensions[1] > 0
    }
    return try timed(repetitions) {
        var total = 0
        for tensor in tensors {
            if let values = tensor.values {
                total += try GGMLBlockQuantizer.quantize(values, as: format, tensorName: tensor.name).count
            } else {
                total += tensor.bytes.count
            }
        }
        return total
    }
}

func int8Job(_ path: String, _ repetitions: Int) throws -> [String: Any] {
    let tensors = try load(path) { info in info.dtype.isFloatingPoint && info.shape.count >= 2 }
    // The preset's own stages, as `pack --recipe int8` parses them.
    let recipe = try Recipe.parse("int8")
    guard recipe.steps.count == 2, case .value(let quantizer) = recipe.steps[0],
        case .entropy(.zstd(let level)) = recipe.steps[1]
    else { throw Usage(description: "int8-zstd: the int8 preset is no longer quant|zstd: \(recipe)") }
    let zstd = try ZstdCodec(level: level, workers: 2)
    func compressed(_ bytes: Data) throws -> Int {
        let coded = try bytes.withUnsafeBytes { try zstd.encode($0) }
        return min(coded.count, bytes.count)
    }
    return try timed(repetitions) {
        var total = 0
        for tensor in tensors {
            if let values = tensor.values {
                let output = try quantizer.encode(values, shape: tensor.shape, tensorName: tensor.name)
                for section in output.sections { total += try compressed(section.bytes) }
            } else {
                total += try compressed(tensor.bytes)
            }
        }
        return total
    }
}

func int8DecodeJob(_ path: String, _ repetitions: Int) throws -> [String: Any] {
    let tensors = try load(path) { info in info.dtype.isFloatingPoint && info.shape.count >= 2 }
    let recipe = try Recipe.parse("int8")
    guard case .value(let transform) = recipe.steps[0], case .entropy(.zstd(let level)) = recipe.steps[1],
        let quantizer = transform as? IntegerQuantizer
    else { throw Usage(description: "int8-decode: the int8 preset is no longer quant|zstd: \(recipe)") }
    let zstd = try ZstdCodec(level: level, workers: 2)
    func compressed(_ bytes: Data) throws -> (frame: [UInt8], count: Int) {
        (try bytes.withUnsafeBytes { try zstd.encode($0) }, bytes.count)
    }
    // (shape, parameters, each section's kind and zstd frame) for quantized tensors; (nil, frame) for the rest
    var stored: [(shape: Shape?, parameters: [String: String], sections: [(PayloadSection.Kind, [UInt8], Int)])] = []
    for tensor in tensors {
        if let values = tensor.values {
            let output = try quantizer.encode(values, shape: tensor.shape, tensorName: tensor.name)
            stored.append(
                (
                    tensor.shape, output.parameters,
                    try output.sections.map { section in
                        let (frame, count) = try compressed(section.bytes)
                        return (section.kind, frame, count)
                    }
                ))
        } else {
            let (frame, count) = try compressed(tensor.bytes)
            stored.append((nil, [:], [(.bytes(symbolWidth: 1), frame, count)]))
        }
    }
    return try timed(repetitions) {
        var total = 0
        for item in stored {
            let sections = try item.sections.map { kind, frame, count in
                PayloadSection(
                    kind: kind, bytes: Data(try frame.withUnsafeBytes { try zstd.decode($0, decodedByteCount: count) }))
            }
            if let shape = item.shape {
                let values = try IntegerQuantizer.decode(
                    sections, parameters: item.parameters, shape: shape, tensorName: "")
                total += 4 * values.count
            } else {
                total += sections[0].bytes.count
            }
        }
        return total
    }
}

/// What the executable takes, printed with every argument error and for `--help`.
let usage = """
    usage: weightpack-bench JOB MODEL [TYPE] REPS
      gguf MODEL Q8_0|Q4_0 REPS   GGMLBlockQuantizer over the tensors gguf-py's quantize takes
      int8-zstd MODEL REPS        the int8 preset's stages, in memory
      int8-decode MODEL REPS      the int8 preset's decoders, in memory
    MODEL is any model file weightpack reads; REPS is the number of timed repetitions (the best is reported).
    Prints one JSON object: wall, cpu (s), walls, out_bytes, rss_kb.
    """

func main() throws {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard let job = arguments.first, !["-h", "--help", "help"].contains(job) else {
        print(usage)
        exit(arguments.isEmpty ? 1 : 0)
    }
    var result: [String: Any]
    switch (job, arguments.count) {
    case ("gguf", 4): result = try ggufJob(arguments[1], arguments[2], Int(arguments[3]) ?? 3)
    case ("int8-zstd", 3): result = try int8Job(arguments[1], Int(arguments[2]) ?? 3)
    case ("int8-decode", 3): result = try int8DecodeJob(arguments[1], Int(arguments[2]) ?? 3)
    default:
        throw Usage(description: "unknown job or wrong arguments: \(arguments.joined(separator: " "))\n" + usage)
    }
    result["rss_kb"] = peakResidentKilobytes()
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
}

do { try main() } catch {
    FileHandle.standardError.write(Data("weightpack-bench: \(error)\n".utf8))
    exit(1)
}
