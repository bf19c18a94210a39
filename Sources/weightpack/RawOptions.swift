import ArgumentParser
import TensorCore
import WeightPack

/// Options that describe a bare binary input.
struct RawOptions: ParsableArguments {
    @Option(help: "Read the input as raw binary of this dtype (f32, f16, bf16, f64, i64, i32, i16, i8, u8, …).")
    var rawDtype: String?

    @Option(help: "The raw input's shape, comma-separated, e.g. 1024,768 (with --raw-dtype).")
    var shape: String?

    @Option(help: "Bytes to skip at the start of the raw input.")
    var offset: Int = 0

    @Option(help: "Byte order of the raw input: little or big.")
    var byteOrder: String = "little"

    func validate() throws {
        guard offset >= 0 else { throw ValidationError("--offset must be ≥ 0; got \(offset).") }
        guard RawInputOptions.ByteOrder(rawValue: byteOrder.lowercased()) != nil else {
            throw ValidationError("--byte-order must be little or big; got '\(byteOrder)'.")
        }
        _ = try inputOptions()
    }

    /// The raw input options, or `nil` when `--raw-dtype` was not given.
    func inputOptions() throws -> RawInputOptions? {
        guard let rawDtype else {
            if shape != nil { throw ValidationError("--shape needs --raw-dtype.") }
            return nil
        }
        guard let dtype = DType(name: rawDtype.lowercased()) else {
            throw ValidationError(
                "--raw-dtype '\(rawDtype)' is not a dtype; use one of \(DType.allCases.map(\.name).joined(separator: ", "))."
            )
        }
        guard let shape else { throw ValidationError("--raw-dtype needs --shape, e.g. --shape 1024,768.") }
        let dimensions = shape.split(separator: ",", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard !shape.isEmpty, dimensions.allSatisfy({ $0 != nil && $0! >= 0 }),
            let validated = try? Shape(validating: dimensions.map { $0! })
        else { throw ValidationError("--shape '\(shape)' must be non-negative integers separated by commas.") }
        guard offset >= 0 else { throw ValidationError("--offset must be ≥ 0; got \(offset).") }
        guard let order = RawInputOptions.ByteOrder(rawValue: byteOrder.lowercased()) else {
            throw ValidationError("--byte-order must be little or big; got '\(byteOrder)'.")
        }
        return RawInputOptions(dtype: dtype, shape: validated, byteOffset: offset, byteOrder: order)
    }
}
