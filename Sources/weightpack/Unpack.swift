import ArgumentParser
import TensorCore
import WeightPack

struct Unpack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode a .wpk container back to a safetensors file (dequantizing).")

    @Argument(help: "The file to unpack (.wpk or .safetensors).")
    var input: String

    @Option(name: .shortAndLong, help: "The .safetensors file to write.")
    var output: String

    @Option(help: "Dtype for float tensors: f32, f16 or bf16 (default: each tensor's source dtype).")
    var dtype: String?

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        if let dtype, !["f32", "f16", "bf16"].contains(dtype.lowercased()) {
            throw ValidationError("--dtype must be f32, f16 or bf16; got '\(dtype)'.")
        }
    }

    func run() throws {
        let bytes = try Unpacker.unpack(
            inputPath: input, outputPath: output, floatDType: dtype.flatMap { DType(name: $0.lowercased()) })
        if !quiet { print("unpacked to \(output)\n\(HumanFormat.bytes(bytes)) written") }
    }
}
