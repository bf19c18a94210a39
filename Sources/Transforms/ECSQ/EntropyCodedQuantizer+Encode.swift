import Foundation
import TensorCore

extension EntropyCodedQuantizer {
    /// Quantizes `values` (row-major, `shape.elementCount` of them) to the sections of the type's documentation.
    /// - Returns: the sections (row steps unless `step=ABS`, then integers) and the parameters `mode`, `step` or
    ///   `rel`, `target_snr_db` (`snr` mode), `width`, `rows`, `columns`, `snr_db`.
    /// - Throws: `TransformError.Code.nonFiniteValues` naming the tensor and the count of NaN and infinite
    ///   elements; `.invalidParameter` when the rule's value is out of range, `values.count` differs from the
    ///   shape's element count, an integer `round(w / step)` falls outside Int32 (naming the element and the
    ///   remedy), or an SNR target cannot be reached.
    /// - Complexity: O(n) for `step` and `rel`; O(n × k) for `snr`, k ≈ 15 passes; deterministic.
    public func encode(_ values: [Float], shape: Shape, tensorName: String) throws(TransformError) -> TransformOutput {
        try validate(shape: shape, tensorName: tensorName)
        let (rows, columns, count) = try IntegerQuantizer.Layout.rowsAndColumns(of: shape, tensorName: tensorName)
        try ValueCheck.require(values, count: count, shape: shape, stage: recipeText, tensorName: tensorName)
        let stepRows = count == 0 ? 0 : rows
        var parameters = ["rows": String(rows), "columns": String(columns)]
        let rowSteps: [Float]
        var stepSection: PayloadSection?
        switch stepRule {
        case .absolute(let step):
            parameters["mode"] = "step"
            parameters["step"] = String(step)
            rowSteps = [Float](repeating: step, count: stepRows)
        case .relative(let ratio):
            let steps = Rows(values: values, rows: stepRows, columns: columns).steps(ratio: ratio)
            parameters["mode"] = "rel"
            parameters["rel"] = Self.text(ratio)
            rowSteps = steps.map(Float.init)
            stepSection = PayloadSection(kind: .bytes(symbolWidth: 2), bytes: Self.float16Bytes(steps))
        case .targetSNR(let decibels):
            let search = try Self.searchRatio(
                Rows(values: values, rows: stepRows, columns: columns), decibels: decibels, stage: recipeText,
                tensorName: tensorName)
            parameters["mode"] = "snr"
            parameters["rel"] = String(search.ratio)
            parameters["target_snr_db"] = Self.text(decibels)
            rowSteps = search.steps.map(Float.init)
            stepSection = PayloadSection(kind: .bytes(symbolWidth: 2), bytes: Self.float16Bytes(search.steps))
        }
        let integers = try quantize(values, columns: columns, steps: rowSteps, tensorName: tensorName)
        let width = Self.width(of: integers)
        parameters["width"] = String(width)
        let measured = Rows(values: values, rows: stepRows, columns: columns)
        let snr = measured.snrDecibels(noise: measured.noiseEnergy(steps: rowSteps))
        parameters["snr_db"] = snr.isFinite ? String(format: "%.4f", snr) : "inf"
        let integerSection = PayloadSection(
            kind: .bytes(symbolWidth: width), bytes: Self.integerBytes(integers, width: width))
        return TransformOutput(sections: (stepSection.map { [$0] } ?? []) + [integerSection], parameters: parameters)
    }

    /// `round(w / step)` per element with its row's step (0 for a zero step).
    /// - Throws: `TransformError.Code.invalidParameter` naming the first element whose integer leaves Int32.
    private func quantize(_ values: [Float], columns: Int, steps: [Float], tensorName: String) throws(TransformError)
        -> [Int32]
    {
        var overflowing: Int?
        let integers = values.withUnsafeBufferPointer { source in
            [Int32](unsafeUninitializedCapacity: source.count) { out, initialized in
                out.initialize(repeating: 0)
                initialized = source.count
                for (row, step) in steps.enumerated() where step > 0 && overflowing == nil {
                    for index in (row * columns)..<((row + 1) * columns) {
                        let q = (source[index] / step).rounded(.toNearestOrEven)
                        // Int32's range is [-2^31, 2^31); both ends are exact Floats. Infinity fails too.
                        guard q >= -0x1p31, q < 0x1p31 else {
                            overflowing = index
                            break
                        }
                        out[index] = Int32(q)
                    }
                }
            }
        }
        if let index = overflowing {
            let step = steps[index / max(columns, 1)]
            throw TransformError(
                .invalidParameter,
                "stage '\(recipeText)': element \(index) is \(values[index]), and \(values[index]) / \(step) does not fit in a 32-bit integer; use a larger step",
                tensorName: tensorName)
        }
        return integers
    }

    /// The least of 1, 2 and 4 bytes whose signed range holds every integer.
    static func width(of integers: [Int32]) -> Int {
        let low = integers.min() ?? 0
        let high = integers.max() ?? 0
        if low >= Int32(Int8.min), high <= Int32(Int8.max) { return 1 }
        if low >= Int32(Int16.min), high <= Int32(Int16.max) { return 2 }
        return 4
    }

    /// The integers as little-endian two's complement of `width` bytes (each fits).
    static func integerBytes(_ integers: [Int32], width: Int) -> Data {
        var bytes = Data(count: integers.count * width)
        bytes.withUnsafeMutableBytes { raw in
            for (index, value) in integers.enumerated() {
                switch width {
                case 1: raw.storeBytes(of: Int8(truncatingIfNeeded: value), toByteOffset: index, as: Int8.self)
                case 2:
                    raw.storeBytes(
                        of: Int16(truncatingIfNeeded: value).littleEndian, toByteOffset: 2 * index, as: Int16.self)
                default: raw.storeBytes(of: value.littleEndian, toByteOffset: 4 * index, as: Int32.self)
                }
            }
        }
        return bytes
    }

    /// Binary16 values as little-endian bytes.
    static func float16Bytes(_ values: [Float16]) -> Data {
        var bytes = Data(count: 2 * values.count)
        bytes.withUnsafeMutableBytes { raw in
            for (index, value) in values.enumerated() {
                raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: 2 * index, as: UInt16.self)
            }
        }
        return bytes
    }
}
