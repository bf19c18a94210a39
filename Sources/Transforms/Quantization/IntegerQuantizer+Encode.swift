import Foundation
import TensorCore

extension IntegerQuantizer {
    /// Quantizes `values` (row-major, `shape.elementCount` of them) to the sections of the type's documentation.
    /// - Returns: the sections (scales, zero points when affine, codes) and the parameters `format`, `mode`,
    ///   `granularity`, `group` (with `group=G`), `scale`, `packing`, `rows`, `columns`.
    /// - Throws: `TransformError.Code.nonFiniteValues` naming the tensor and the count of NaN and infinite
    ///   elements; `.blockSizeNotDivisor` as ``validate(shape:tensorName:)``; `.invalidParameter` when
    ///   `values.count` differs from the shape's element count, or with `scale=f16` when a scale exceeds the
    ///   largest binary16 value (65504).
    /// - Complexity: O(n), two passes over each run of elements; deterministic.
    public func encode(_ values: [Float], shape: Shape, tensorName: String) throws(TransformError) -> TransformOutput {
        try values.withUnsafeBufferPointer { (buffer) throws(TransformError) -> TransformOutput in
            try encode(buffer: buffer, shape: shape, tensorName: tensorName)
        }
    }

    /// Reads the values in place: ``encode(_:shape:tensorName:)`` without a copy.
    public static var encodesInPlace: Bool { true }

    /// ``encode(_:shape:tensorName:)`` reading `values` in place (e.g. from a memory-mapped file).
    public func encode(buffer values: UnsafeBufferPointer<Float>, shape: Shape, tensorName: String)
        throws(TransformError) -> TransformOutput
    {
        let layout = try Layout(shape: shape, granularity: granularity, stage: recipeText, tensorName: tensorName)
        try ValueCheck.require(
            values, count: layout.elementCount, shape: shape, stage: recipeText, tensorName: tensorName)
        var scales = [Float](repeating: 0, count: layout.scaleCount)
        var zeroPoints = [UInt8](repeating: 0, count: mode == .affine ? layout.scaleCount : 0)
        // One code per byte; stored as they are when the codes take whole bytes, else bit-packed afterwards.
        var fields = Data(count: layout.elementCount)
        let length = layout.runLength
        // Runs are split across cores in contiguous ranges (each writes only its own runs, so the output does not
        // depend on the core count); small tensors take one range.
        let ranges = ParallelChunks.ranges(count: layout.scaleCount, minimumLength: max(1, (1 << 18) / max(length, 1)))
        var overflowingRuns = [Int?](repeating: nil, count: ranges.count)
        do {
            let source = values
            fields.withUnsafeMutableBytes { rawTarget in
                scales.withUnsafeMutableBufferPointer { scaleBuffer in
                    zeroPoints.withUnsafeMutableBufferPointer { zeroBuffer in
                        overflowingRuns.withUnsafeMutableBufferPointer { overflowBuffer in
                            nonisolated(unsafe) let source = source
                            nonisolated(unsafe) let target = rawTarget.bindMemory(to: UInt8.self)
                            nonisolated(unsafe) let scaleBuffer = scaleBuffer
                            nonisolated(unsafe) let zeroBuffer = zeroBuffer
                            nonisolated(unsafe) let overflowBuffer = overflowBuffer
                            let quantizer = self
                            ParallelChunks.run(ranges) { index, runs in
                                for run in runs {
                                    let elements = (run * length)..<((run + 1) * length)
                                    let input = UnsafeBufferPointer(rebasing: source[elements])
                                    let output = UnsafeMutableBufferPointer(rebasing: target[elements])
                                    let scale: Float?
                                    switch quantizer.mode {
                                    case .symmetric:
                                        scale = quantizer.quantizeSymmetric(input, into: output)
                                    case .affine:
                                        let result = quantizer.quantizeAffine(input, into: output)
                                        scale = result?.scale
                                        zeroBuffer[run] = result?.zeroPoint ?? 0
                                    }
                                    guard let scale else {
                                        overflowBuffer[index] = run
                                        return
                                    }
                                    scaleBuffer[run] = scale
                                }
                            }
                        }
                    }
                }
            }
        }
        if let run = overflowingRuns.compactMap({ $0 }).first {
            throw TransformError(
                .invalidParameter,
                "stage '\(recipeText)': scale \(run) exceeds the largest binary16 value 65504; use scale=f32",
                tensorName: tensorName)
        }
        var sections = [PayloadSection(kind: .bytes(symbolWidth: scaleType.byteWidth), bytes: scaleBytes(scales))]
        if mode == .affine { sections.append(PayloadSection(kind: .bytes(symbolWidth: 1), bytes: Data(zeroPoints))) }
        let codes = packing == .bytes || format.bits == 8 ? fields : Self.pack([UInt8](fields), bits: format.bits)
        sections.append(PayloadSection(kind: .bytes(symbolWidth: 1), bytes: codes))
        return TransformOutput(sections: sections, parameters: parameters(layout))
    }

    /// The parameters recorded for `layout`.
    private func parameters(_ layout: Layout) -> [String: String] {
        var parameters = [
            "format": format.rawValue, "mode": mode.rawValue, "scale": scaleType.rawValue,
            "packing": packing.rawValue, "rows": String(layout.rows), "columns": String(layout.columns),
        ]
        switch granularity {
        case .perTensor: parameters["granularity"] = "per_tensor"
        case .perChannel: parameters["granularity"] = "per_channel"
        case .blocks(let size):
            parameters["granularity"] = "group"
            parameters["group"] = String(size)
        }
        return parameters
    }

    /// Scales as little-endian Float32 or binary16 (exact: binary16 scales were rounded to it already).
    private func scaleBytes(_ scales: [Float]) -> Data {
        switch scaleType {
        case .float32:
            var bytes = Data(count: 4 * scales.count)
            bytes.withUnsafeMutableBytes { raw in
                for (index, scale) in scales.enumerated() {
                    raw.storeBytes(of: scale.bitPattern.littleEndian, toByteOffset: 4 * index, as: UInt32.self)
                }
            }
            return bytes
        case .float16:
            return FloatConversion.float16LE(fromFloat32: scales)
        }
    }

    /// Quantizes one run symmetrically into two's-complement code fields; returns its scale, or `nil` when
    /// a binary16 scale would overflow.
    private func quantizeSymmetric(_ run: UnsafeBufferPointer<Float>, into fields: UnsafeMutableBufferPointer<UInt8>)
        -> Float?
    {
        // Eight lanes at a time (the values are finite: ValueCheck ran first), then the tail one by one.
        let count = run.count
        let lanes = count / 8 * 8
        let input = UnsafeRawPointer(run.baseAddress!)
        var laneMaxima = SIMD8<Float>(repeating: 0)
        for offset in stride(from: 0, to: lanes, by: 8) {
            let magnitude = unsafeBitCast(
                input.loadUnaligned(fromByteOffset: 4 * offset, as: SIMD8<UInt32>.self) & 0x7FFF_FFFF,
                to: SIMD8<Float>.self)
            laneMaxima = laneMaxima.replacing(with: magnitude, where: magnitude .> laneMaxima)
        }
        var maxMagnitude = laneMaxima.max()
        for index in lanes..<count { maxMagnitude = max(maxMagnitude, abs(run[index])) }
        let qmax = Float(format.symmetricMaximum)
        guard maxMagnitude > 0 else { return 0 }  // fields stay 0
        guard let scale = storedScale(Self.symmetricScale(maxMagnitude: maxMagnitude, qmax: qmax))
        else { return nil }
        // |w / scale| ≤ qmax ≤ 127 here, so the shifter rounding is exact (and avoids a libm call per element);
        // the clamped integer q then sits in the low bits of q + 1.5 × 2^23, which gives its two's-complement byte
        // without a float-to-integer conversion, so the loop runs on vector registers.
        let shifter = SIMD8<Float>(repeating: 12_582_912)
        let divisor = SIMD8<Float>(repeating: scale)
        let low = SIMD8<Float>(repeating: -qmax)
        let high = SIMD8<Float>(repeating: qmax)
        let output = UnsafeMutableRawPointer(fields.baseAddress!)
        for offset in stride(from: 0, to: lanes, by: 8) {
            let values = input.loadUnaligned(fromByteOffset: 4 * offset, as: SIMD8<Float>.self)
            var q = (values / divisor + shifter) - shifter
            q = q.replacing(with: low, where: q .< low)
            q = q.replacing(with: high, where: q .> high)
            let codes = SIMD8<UInt8>(truncatingIfNeeded: unsafeBitCast(q + shifter, to: SIMD8<UInt32>.self))
            output.storeBytes(of: codes, toByteOffset: offset, as: SIMD8<UInt8>.self)
        }
        for index in lanes..<count {
            let q = min(max(Self.roundedToNearestEven(run[index] / scale), -qmax), qmax)
            fields[index] = UInt8(truncatingIfNeeded: Int(q))
        }
        return scale
    }

    /// `x` rounded to the nearest integer, ties to even, for |x| < 2^22: adding and subtracting 1.5 × 2^23 leaves
    /// the integer part in the significand under IEEE 754's default rounding (the same result as
    /// `x.rounded(.toNearestOrEven)`, without a call to libm's `rintf` on CPUs Swift does not assume SSE4.1 for).
    @inline(__always)
    static func roundedToNearestEven(_ x: Float) -> Float {
        let shifter: Float = 12_582_912  // 1.5 × 2^23
        return (x + shifter) - shifter
    }

    /// Quantizes one run on the affine grid into unsigned codes; returns its scale and zero point, or `nil`
    /// when a binary16 scale would overflow.
    private func quantizeAffine(_ run: UnsafeBufferPointer<Float>, into fields: UnsafeMutableBufferPointer<UInt8>)
        -> (scale: Float, zeroPoint: UInt8)?
    {
        var low: Float = 0
        var high: Float = 0
        for value in run {
            low = min(low, value)
            high = max(high, value)
        }
        let levels = Float(format.affineMaximum)
        let span = Double(high) - Double(low)
        guard span > 0 else { return (0, 0) }  // fields stay 0
        guard let scale = storedScale(Self.affineScale(span: span, levels: levels))
        else { return nil }
        let zeroPoint = min(max((-low / scale).rounded(.toNearestOrEven), 0), levels)
        for index in run.indices {
            let q = min(max((run[index] / scale).rounded(.toNearestOrEven) + zeroPoint, 0), levels)
            fields[index] = UInt8(q)
        }
        return (scale, UInt8(zeroPoint))
    }

    /// `maxMagnitude / qmax` in Float32, unless that is subnormal: then the least Float32 at least 2^-149 with
    /// `maxMagnitude / scale ≤ qmax` in Float32 arithmetic, so no code leaves the grid and the error bound
    /// `scale / 2` holds. This is ``Int8Quantizer``'s rule, operation for operation.
    static func symmetricScale(maxMagnitude: Float, qmax: Float) -> Float {
        var scale = maxMagnitude / qmax
        guard scale < .leastNormalMagnitude else { return scale }
        scale = max(scale, .leastNonzeroMagnitude)
        while maxMagnitude / scale > qmax { scale = scale.nextUp }
        return scale
    }

    /// `span / levels` computed in Float64 and rounded to Float32, unless that is subnormal: then the least
    /// Float32 at least 2^-149 with `span / scale ≤ levels` in Float64 arithmetic.
    static func affineScale(span: Double, levels: Float) -> Float {
        var scale = Float(span / Double(levels))
        guard scale < .leastNormalMagnitude else { return scale }
        scale = max(scale, .leastNonzeroMagnitude)
        while span / Double(scale) > Double(levels) { scale = scale.nextUp }
        return scale
    }

    /// `scale` as stored: itself for Float32; for binary16 the least binary16 value ≥ `scale`, or `nil` when
    /// that is infinite.
    private func storedScale(_ scale: Float) -> Float? {
        guard scaleType == .float16 else { return scale }
        var half = Float16(scale)
        if Float(half) < scale { half = half.nextUp }
        return half.isFinite ? Float(half) : nil
    }
}
