import ArgumentParser
import Foundation
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

    @Flag(
        name: .customLong("skip-damaged"),
        help: "Leave out tensors whose checksum fails or that do not decode, naming each on stderr, instead of failing."
    )
    var skipDamaged = false

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        if let dtype, !["f32", "f16", "bf16"].contains(dtype.lowercased()) {
            throw ValidationError("--dtype must be f32, f16 or bf16; got '\(dtype)'.")
        }
    }

    func run() throws {
        let floatDType = dtype.flatMap { DType(name: $0.lowercased()) }
        var bytes: Int
        if skipDamaged {
            let result = try Unpacker.unpackSkippingDamaged(
                inputPath: input, outputPath: output, floatDType: floatDType)
            bytes = result.byteCount
            for (name, reason) in result.skipped {
                FileHandle.standardError.write(Data("warning: skipped tensor '\(name)': \(reason)\n".utf8))
            }
        } else {
            bytes = try Unpacker.unpack(inputPath: input, outputPath: output, floatDType: floatDType)
        }
        if !quiet { print("unpacked to \(output)\n\(HumanFormat.bytes(bytes)) written") }
    }
}
