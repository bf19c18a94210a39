import Foundation
import TensorCore

extension IntegerQuantizer {
    /// The settings recorded in a `quant` stage's parameters.
    /// - Throws: `TransformError.Code.invalidParameter` naming the key and the accepted values when one is
    ///   missing or unknown.
    init(parameters: [String: String], tensorName: String?) throws(TransformError) {
        func value<T: RawRepresentable<String> & CaseIterable>(_ key: String, as _: T.Type) throws(TransformError)
            -> T
        {
            guard let text = parameters[key], let value = T(rawValue: text) else {
                throw TransformError(
                    .invalidParameter,
                    "stage '\(Self.stageName)' needs parameter '\(key)' as one of \(T.allCases.map(\.rawValue).joined(separator: ", ")); found \(parameters[key].map { "'\($0)'" } ?? "none")",
                    tensorName: tensorName)
            }
            return value
        }
        let granularity: Granularity
        switch parameters["granularity"] {
        case "per_tensor": granularity = .perTensor
        case "per_channel": granularity = .perChannel
        case "group":
            granularity = .blocks(
                size: try parameters.integer("group", in: 1...Int.max, stage: Self.stageName, tensorName: tensorName))
        default:
            throw TransformError(
                .invalidParameter,
                "stage '\(Self.stageName)' needs parameter 'granularity' as one of per_tensor, per_channel, group; found \(parameters["granularity"].map { "'\($0)'" } ?? "none")",
                tensorName: tensorName)
        }
        self.init(
            format: try value("format", as: Format.self), mode: try value("mode", as: Mode.self),
            granularity: granularity, scaleType: try value("scale", as: ScaleType.self),
            packing: try value("packing", as: Packing.self))
    }

    /// The section kinds the parameters imply: scales (width 4, or 2 with `scale=f16`), zero points (width 1,
    /// `asym` only), codes (width 1).
    /// - Throws: `TransformError.Code.invalidParameter` when a parameter is missing or unknown.
    public static func outputKinds(parameters: [String: String], shape: Shape) throws(TransformError)
        -> [PayloadSection.Kind]
    {
        try Self(parameters: parameters, tensorName: nil).sectionKinds
    }

    /// Scales, zero points (affine only), codes.
    private var sectionKinds: [PayloadSection.Kind] {
        mode == .affine
            ? [.bytes(symbolWidth: scaleType.byteWidth), .bytes(symbolWidth: 1), .bytes(symbolWidth: 1)]
            : [.bytes(symbolWidth: scaleType.byteWidth), .bytes(symbolWidth: 1)]
    }

    /// Decodes the sections ``encode(_:shape:tensorName:)`` produced: `q × scale` (symmetric) or
    /// `(q − z) × scale` (affine), each one Float32 multiplication.
    /// - Throws: `TransformError.Code.invalidParameter` for missing or unknown parameters, or `rows`/`columns`
    ///   that disagree with `shape`; `.blockSizeNotDivisor` when the group size does not divide the row length;
    ///   `.corruptPayload` when the sections' count, kinds or byte counts differ from what the parameters imply,
    ///   a scale is negative or not finite, a zero point or code lies outside its range, or a padding bit is set.
    /// - Complexity: O(n); allocates only after every length has been checked.
    public static func decode(
        _ sections: [PayloadSection], parameters: [String: String], shape: Shape, tensorName: String
    ) throws(TransformError) -> [Float] {
        try decoded(
            sections, parameters: parameters, shape: shape, tensorName: tensorName,
            allocate: { count, fill in KernelOutputBuffer.floats(count: count, fill) }, converting: { $0 })
    }

    /// ``decode(_:parameters:shape:tensorName:)`` straight into Float32 bytes: one code per byte (int8, or
    /// `packing=bytes`) is dequantized into the bytes themselves, with no array in between.
    public static func decodeBytes(
        _ sections: [PayloadSection], parameters: [String: String], shape: Shape, tensorName: String
    ) throws(TransformError) -> Data {
        try decoded(
            sections, parameters: parameters, shape: shape, tensorName: tensorName,
            allocate: { count, fill in
                KernelOutputBuffer.data(byteCount: 4 * count) { fill($0.bindMemory(to: Float.self, capacity: count)) }
            },
            converting: { values in values.withUnsafeBytes { Data($0) } })
    }

    /// The decoding both entry points share; `allocate` makes the output of `count` values filled by the closure it
    /// is given, `converting` turns an array (from the bit-packed path) into the output.
    private static func decoded<Output>(
        _ sections: [PayloadSection], parameters: [String: String], shape: Shape, tensorName: String,
        allocate: (Int, (UnsafeMutablePointer<Float>) -> Void) -> Output, converting: ([Float]) -> Output
    ) throws(TransformError) -> Output {
        let settings = try Self(parameters: parameters, tensorName: tensorName)
        let layout = try Layout(
            shape: shape, granularity: settings.granularity, stage: settings.recipeText, tensorName: tensorName)
        for (key, expected) in [("rows", layout.rows), ("columns", layout.columns)]
        where parameters[key] != "\(expected)" {
            throw TransformError(
                .invalidParameter,
                "stage '\(stageName)' parameter '\(key)' is \(parameters[key].map { "'\($0)'" } ?? "missing"); shape \(shape) has \(expected)",
                tensorName: tensorName)
        }
        try checkSections(sections, settings: settings, layout: layout, tensorName: tensorName)
        let scales = try decodeScales(sections[0].bytes, type: settings.scaleType, tensorName: tensorName)
        let zeroPoints = settings.mode == .affine ? [UInt8](sections[1].bytes) : []
        let levels = settings.format.affineMaximum
        if let bad = zeroPoints.firstIndex(where: { Int($0) > levels }) {
            throw TransformError(
                .corruptPayload,
                "zero point \(bad) is \(zeroPoints[bad]); \(settings.format.rawValue) zero points lie in 0...\(levels)",
                tensorName: tensorName)
        }
        let width = settings.packing == .bytes ? 8 : settings.format.bits
        if width == 8 {
            return try settings.dequantizeBytes(
                sections[sections.count - 1].bytes, scales: scales, zeroPoints: zeroPoints, layout: layout,
                tensorName: tensorName, allocate: allocate)
        }
        guard let fields = unpack(sections[sections.count - 1].bytes, bits: width, count: layout.elementCount) else {
            throw TransformError(
                .corruptPayload, "the unused high bits of the last code byte are not zero", tensorName: tensorName)
        }
        return converting(
            try settings.dequantize(
                fields, fieldBits: width, scales: scales, zeroPoints: zeroPoints, layout: layout,
                tensorName: tensorName))
    }

    /// Checks the sections' count, kinds and byte counts against the parameters.
    private static func checkSections(
        _ sections: [PayloadSection], settings: Self, layout: Layout, tensorName: String
    ) throws(TransformError) {
        let kinds = settings.sectionKinds
        guard sections.map(\.kind) == kinds else {
            throw TransformError(
                .corruptPayload,
                "stage '\(settings.recipeText)' expects sections \(kinds); found \(sections.map(\.kind))",
                tensorName: tensorName)
        }
        let (scaleBytes, overflow) = layout.scaleCount.multipliedReportingOverflow(by: settings.scaleType.byteWidth)
        var expected = [overflow ? Int.max : scaleBytes]
        if settings.mode == .affine { expected.append(layout.scaleCount) }
        expected.append(layout.codeByteCount(format: settings.format, packing: settings.packing))
        let names = settings.mode == .affine ? ["scales", "zero points", "codes"] : ["scales", "codes"]
        for (index, section) in sections.enumerated() where section.bytes.count != expected[index] {
            throw TransformError(
                .corruptPayload,
                "stage '\(settings.recipeText)' \(names[index]) section holds \(section.bytes.count) bytes; \(layout.scaleCount) scales and \(layout.elementCount) elements of shape need \(expected[index])",
                tensorName: tensorName)
        }
    }

    /// Reads little-endian Float32 or binary16 scales, each finite and non-negative with a clear sign bit.
    private static func decodeScales(_ bytes: Data, type: ScaleType, tensorName: String) throws(TransformError)
        -> [Float]
    {
        let scales: [Float] = bytes.withUnsafeBytes { raw in
            switch type {
            case .float16:
                return FloatConversion.float32(fromFloat16LE: raw)
            case .float32:
                return (0..<(raw.count / 4)).map { index in
                    Float(
                        bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
                }
            }
        }
        if let bad = scales.firstIndex(where: { !$0.isFinite || $0.sign == .minus }) {
            throw TransformError(
                .corruptPayload, "scale \(bad) is \(scales[bad]); scales are finite and non-negative",
                tensorName: tensorName)
        }
        return scales
    }

    /// `q × scale` or `(q − z) × scale` per element, checking each code against the grid.
    /// ``dequantize(_:fieldBits:scales:zeroPoints:layout:tensorName:)`` for one code per byte, read in place: the
    /// codes are checked in one pass first (a symmetric code of `format.bits` bits lies in `-qmax...qmax`, an
    /// affine one in `0...levels`), so the arithmetic loop has no branch and runs on vector registers. The same
    /// values (`Float(code − zeroPoint) × scale`) and errors.
    private func dequantizeBytes<Output>(
        _ codes: Data, scales: [Float], zeroPoints: [UInt8], layout: Layout, tensorName: String,
        allocate: (Int, (UnsafeMutablePointer<Float>) -> Void) -> Output
    ) throws(TransformError) -> Output {
        let count = layout.elementCount
        let signBit = 1 << 7
        let qmax = mode == .affine ? format.affineMaximum : format.symmetricMaximum
        let qmin = mode == .affine ? 0 : -qmax
        let badIndex: Int? = codes.withUnsafeBytes { raw in
            let signed = raw.bindMemory(to: Int8.self)
            switch mode {
            case .symmetric:
                let (low, high) = (Int8(qmin), Int8(qmax))
                // The least and greatest codes (a vectorized reduction), then, only when one is out of range,
                // the first such code's index.
                var (least, greatest) = (Int8.max, Int8.min)
                for code in signed {
                    least = Swift.min(least, code)
                    greatest = Swift.max(greatest, code)
                }
                guard least < low || greatest > high else { return nil }
                return signed.firstIndex { $0 < low || $0 > high }
            case .affine:
                let high = UInt8(qmax)
                var greatest = UInt8.min
                for code in raw { greatest = Swift.max(greatest, code) }
                guard greatest > high else { return nil }
                return raw.firstIndex { $0 > high }
            }
        }
        if let index = badIndex {
            let field = Int(codes[codes.startIndex + index])
            let code = mode == .affine ? field : (field & signBit != 0 ? field - 2 * signBit : field)
            throw TransformError(
                .corruptPayload,
                "code \(index) is \(code); \(format.rawValue) \(mode.rawValue) codes lie in \(qmin)...\(qmax)",
                tensorName: tensorName)
        }
        return allocate(count) { target in
            codes.withUnsafeBytes { raw in
                let signed = raw.bindMemory(to: Int8.self)
                let length = layout.runLength
                for run in 0..<layout.scaleCount {
                    let scale = scales[run]
                    let start = run * length
                    switch mode {
                    case .symmetric:
                        for index in start..<(start + length) { target[index] = Float(Int32(signed[index])) * scale }
                    case .affine:
                        let zeroPoint = Int32(zeroPoints[run])
                        for index in start..<(start + length) {
                            target[index] = Float(Int32(raw[index]) &- zeroPoint) * scale
                        }
                    }
                }
            }
        }
    }

    private func dequantize(
        _ fields: [UInt8], fieldBits: Int, scales: [Float], zeroPoints: [UInt8], layout: Layout, tensorName: String
    ) throws(TransformError) -> [Float] {
        let count = layout.elementCount
        let signBit = 1 << (fieldBits - 1)
        let qmax = mode == .affine ? format.affineMaximum : format.symmetricMaximum
        let qmin = mode == .affine ? 0 : -qmax
        var badIndex: Int?
        let values = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            fields.withUnsafeBufferPointer { source in
                for run in 0..<layout.scaleCount where badIndex == nil {
                    let scale = scales[run]
                    let zeroPoint = mode == .affine ? Int(zeroPoints[run]) : 0
                    for index in (run * layout.runLength)..<((run + 1) * layout.runLength) {
                        let field = Int(source[index])
                        let code = mode == .affine ? field : (field & signBit != 0 ? field - 2 * signBit : field)
                        guard code >= qmin, code <= qmax else {
                            badIndex = index
                            break
                        }
                        out[index] = Float(code - zeroPoint) * scale
                    }
                }
            }
            if badIndex != nil { out.update(repeating: 0) }  // every element initialized before the throw
            initialized = count
        }
        if let index = badIndex {
            let field = Int(fields[index])
            let code = mode == .affine ? field : (field & signBit != 0 ? field - 2 * signBit : field)
            throw TransformError(
                .corruptPayload,
                "code \(index) is \(code); \(format.rawValue) \(mode.rawValue) codes lie in \(qmin)...\(qmax)",
                tensorName: tensorName)
        }
        return values
    }
}
