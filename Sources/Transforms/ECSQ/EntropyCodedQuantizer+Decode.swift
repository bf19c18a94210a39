import Foundation
import TensorCore

extension EntropyCodedQuantizer {
    /// `[.bytes(symbolWidth: 2), .bytes(symbolWidth: W)]` for `rel` and `snr`, `[.bytes(symbolWidth: W)]` for
    /// `step`.
    /// - Throws: `TransformError.Code.invalidParameter` when `mode` or `width` is missing or unknown.
    public static func outputKinds(parameters: [String: String], shape: Shape) throws(TransformError)
        -> [PayloadSection.Kind]
    {
        let (mode, width) = try modeAndWidth(parameters, tensorName: nil)
        return mode == "step" ? [.bytes(symbolWidth: width)] : [.bytes(symbolWidth: 2), .bytes(symbolWidth: width)]
    }

    private static func modeAndWidth(_ parameters: [String: String], tensorName: String?) throws(TransformError)
        -> (String, Int)
    {
        guard let mode = parameters["mode"], ["step", "rel", "snr"].contains(mode) else {
            throw TransformError(
                .invalidParameter,
                "stage '\(stageName)' needs parameter 'mode' as one of step, rel, snr; found \(parameters["mode"].map { "'\($0)'" } ?? "none")",
                tensorName: tensorName)
        }
        guard let width = parameters["width"].flatMap(Int.init), [1, 2, 4].contains(width) else {
            throw TransformError(
                .invalidParameter,
                "stage '\(stageName)' needs parameter 'width' as 1, 2 or 4; found \(parameters["width"].map { "'\($0)'" } ?? "none")",
                tensorName: tensorName)
        }
        return (mode, width)
    }

    /// Decodes the sections ``encode(_:shape:tensorName:)`` produced: `q × step` per element, one Float32
    /// multiplication, with the row's binary16 step widened exactly (or the recorded Float32 step).
    /// - Throws: `TransformError.Code.invalidParameter` for a missing or unknown `mode` or `width`, a `step`
    ///   that is not a positive finite number (`step` mode), or `rows`/`columns` that disagree with `shape`;
    ///   `.corruptPayload` when the sections' count, kinds or byte counts differ from what the parameters imply,
    ///   a row step is negative or not finite, or a row whose step is 0 holds a non-zero integer.
    /// - Complexity: O(n); allocates only after every length has been checked.
    public static func decode(
        _ sections: [PayloadSection], parameters: [String: String], shape: Shape, tensorName: String
    ) throws(TransformError) -> [Float] {
        let (mode, width) = try modeAndWidth(parameters, tensorName: tensorName)
        let (rows, columns, count) = try IntegerQuantizer.Layout.rowsAndColumns(of: shape, tensorName: tensorName)
        for (key, expected) in [("rows", rows), ("columns", columns)] where parameters[key] != "\(expected)" {
            throw TransformError(
                .invalidParameter,
                "stage '\(stageName)' parameter '\(key)' is \(parameters[key].map { "'\($0)'" } ?? "missing"); shape \(shape) has \(expected)",
                tensorName: tensorName)
        }
        let kinds = try outputKinds(parameters: parameters, shape: shape)
        guard sections.map(\.kind) == kinds else {
            throw TransformError(
                .corruptPayload, "stage '\(stageName)' expects sections \(kinds); found \(sections.map(\.kind))",
                tensorName: tensorName)
        }
        let stepRows = count == 0 ? 0 : rows
        let integerBytes = sections[sections.count - 1].bytes
        let (needed, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, integerBytes.count == needed else {
            throw TransformError(
                .corruptPayload,
                "stage '\(stageName)' integers section holds \(integerBytes.count) bytes; \(count) integers of \(width) bytes need \(overflow ? "more than 2^63" : String(needed))",
                tensorName: tensorName)
        }
        // Read after the integers' length check, so the steps allocated are bounded by the payload.
        let steps = try rowSteps(sections, mode: mode, parameters: parameters, rows: stepRows, tensorName: tensorName)
        var zeroStepRow: Int?
        let values = integerBytes.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: count) { out, initialized in
                for (row, step) in steps.enumerated() {
                    for index in (row * columns)..<((row + 1) * columns) {
                        let q: Int32
                        switch width {
                        case 1: q = Int32(raw.load(fromByteOffset: index, as: Int8.self))
                        case 2:
                            q = Int32(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * index, as: Int16.self)))
                        default: q = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * index, as: Int32.self))
                        }
                        if step == 0, q != 0, zeroStepRow == nil { zeroStepRow = row }
                        out[index] = Float(q) * step
                    }
                }
                initialized = count
            }
        }
        if let row = zeroStepRow {
            throw TransformError(
                .corruptPayload, "row \(row) has step 0 but holds non-zero integers; an all-zero row has integers 0",
                tensorName: tensorName)
        }
        return values
    }

    /// The step of each row: from the row-steps section (checked non-negative and finite) or the `step` parameter.
    private static func rowSteps(
        _ sections: [PayloadSection], mode: String, parameters: [String: String], rows: Int, tensorName: String
    ) throws(TransformError) -> [Float] {
        if mode == "step" {
            guard let step = parameters["step"].flatMap(Float.init), step.isFinite, step > 0 else {
                throw TransformError(
                    .invalidParameter,
                    "stage '\(stageName)' needs parameter 'step' as a positive finite number; found \(parameters["step"].map { "'\($0)'" } ?? "none")",
                    tensorName: tensorName)
            }
            return [Float](repeating: step, count: rows)
        }
        let bytes = sections[0].bytes
        guard rows <= Int.max / 2, bytes.count == 2 * rows else {
            throw TransformError(
                .corruptPayload,
                "stage '\(stageName)' row steps section holds \(bytes.count) bytes; \(rows) rows need \(2 * rows)",
                tensorName: tensorName)
        }
        let steps = bytes.withUnsafeBytes { FloatConversion.float32(fromFloat16LE: $0) }
        if let bad = steps.firstIndex(where: { !$0.isFinite || $0.sign == .minus }) {
            throw TransformError(
                .corruptPayload, "row \(bad) has step \(steps[bad]); steps are finite and non-negative",
                tensorName: tensorName)
        }
        return steps
    }
}
