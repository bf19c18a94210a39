import Foundation
import TensorCore
import Transforms

/// The input of a stage fuzz target: what a stage's `decode` receives from a container, as one byte string.
///
/// Layout (little-endian):
///
/// | field | bytes | meaning |
/// |---|---|---|
/// | `rank` | 1 | dimensions, taken modulo 5 |
/// | `dims` | 4 × rank | the input shape (u32 each) |
/// | `dtype` | 1 | index into `DType.allCases` (modulo), for `shuffle` only |
/// | `paramsLength` | 2 | bytes of parameter text |
/// | `params` | paramsLength | `key=value` lines, UTF-8 |
/// | sections | rest | for each section kind the parameters imply: a u32 length, then that many bytes (clamped) |
///
/// As in `StageChain.decode`, an `elements` section is padded or cut to its exact size before `decode` sees it,
/// and shapes of more than ``maximumElementCount`` elements are skipped (their decoded size is legitimate).
struct FuzzStageInput: Equatable {
    /// Shapes larger than this (4 Mi elements, 16 MiB of Float32) are not decoded.
    static let maximumElementCount = 1 << 22

    var shape: [Int]
    var dtype: DType
    var parameters: [String: String]
    var sections: [[UInt8]]

    /// Parses the header fields; the sections are split later, once their count is known.
    static func parse(_ bytes: [UInt8]) -> (input: FuzzStageInput, rest: ArraySlice<UInt8>)? {
        var cursor = bytes[...]
        func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard cursor.count >= count else { return nil }
            defer { cursor = cursor.dropFirst(count) }
            return cursor.prefix(count)
        }
        func integer(_ width: Int) -> Int? {
            take(width).map { $0.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) } }
        }
        guard let rank = integer(1) else { return nil }
        var shape: [Int] = []
        for _ in 0..<(rank % 5) {
            guard let dimension = integer(4) else { return nil }
            shape.append(dimension)
        }
        guard let dtypeIndex = integer(1), let length = integer(2), let text = take(length) else { return nil }
        var parameters: [String: String] = [:]
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            parameters[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        let dtype = DType.allCases[dtypeIndex % DType.allCases.count]
        return (FuzzStageInput(shape: shape, dtype: dtype, parameters: parameters, sections: []), cursor)
    }

    /// Splits `rest` into `count` length-prefixed sections; missing bytes give short or empty sections.
    static func split(_ rest: ArraySlice<UInt8>, count: Int) -> [[UInt8]] {
        var cursor = rest
        return (0..<count).map { _ in
            let header = cursor.prefix(4)
            cursor = cursor.dropFirst(4)
            let length = header.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            let body = cursor.prefix(length)
            cursor = cursor.dropFirst(length)
            return Array(body)
        }
    }

    /// The byte string that ``parse(_:)`` and ``split(_:count:)`` read back as this input.
    func serialized() -> [UInt8] {
        var bytes: [UInt8] = [UInt8(shape.count)]
        for dimension in shape { bytes += (0..<4).map { UInt8(truncatingIfNeeded: dimension >> (8 * $0)) } }
        bytes.append(UInt8(DType.allCases.firstIndex(of: dtype) ?? 0))
        let text = Array(
            parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n").utf8)
        bytes += [UInt8(truncatingIfNeeded: text.count), UInt8(truncatingIfNeeded: text.count >> 8)] + text
        for section in sections {
            bytes += (0..<4).map { UInt8(truncatingIfNeeded: section.count >> (8 * $0)) } + section
        }
        return bytes
    }

    /// The sections for `kinds`, with each `elements` section at its exact size (as the container guarantees).
    static func sections(_ raw: [[UInt8]], kinds: [PayloadSection.Kind]) -> [PayloadSection]? {
        var sections: [PayloadSection] = []
        for (kind, bytes) in zip(kinds, raw) {
            var body = bytes
            if case .elements(let dtype, let shape) = kind {
                guard let exact = try? shape.byteCount(of: dtype), exact <= 4 * maximumElementCount else { return nil }
                body = Array(body.prefix(exact)) + [UInt8](repeating: 0, count: max(0, exact - body.count))
            }
            sections.append(PayloadSection(kind: kind, bytes: Data(body)))
        }
        return sections
    }

    /// Decodes the input with `type`, as `StageChain.decode` would once the sections are in place.
    /// - Returns: true when the sections decoded.
    static func run(_ bytes: [UInt8], type: any ValueTransform.Type) -> Bool {
        guard let (input, rest) = parse(bytes), let shape = try? Shape(validating: input.shape) else { return false }
        if let count = try? shape.elementCount(), count > maximumElementCount { return false }
        guard let kinds = try? type.outputKinds(parameters: input.parameters, shape: shape),
            !kinds.isEmpty, kinds.count <= 64,
            let sections = sections(split(rest, count: kinds.count), kinds: kinds)
        else { return false }
        return (try? type.decode(sections, parameters: input.parameters, shape: shape, tensorName: "fuzz")) != nil
    }

    /// Decodes the input with `ByteShuffle`, for elements of the input's dtype and shape.
    /// - Returns: true when the planes decoded.
    static func runShuffle(_ bytes: [UInt8]) -> Bool {
        guard let (input, rest) = parse(bytes), let shape = try? Shape(validating: input.shape),
            let count = try? shape.elementCount(), count <= maximumElementCount,
            let kinds = try? ByteShuffle.outputKinds(
                parameters: input.parameters, dtype: input.dtype, elementCount: count),
            !kinds.isEmpty, kinds.count <= 64,
            let sections = sections(split(rest, count: kinds.count), kinds: kinds)
        else { return false }
        return
            (try? ByteShuffle.decode(
                sections, parameters: input.parameters, dtype: input.dtype, elementCount: count, tensorName: "fuzz"))
            != nil
    }
}
