import Codecs
import Formats
import Foundation
import TensorCore
import Transforms

/// One tensor after its stage chain: the bytes to store and the chain that produced them.
struct EncodedTensor: Sendable {
    var tensor: Tensor
    var stages: [StageDescriptor]
    /// The stored bytes as consecutive pieces (section table, headers, sections), written one after another
    /// without being joined in memory.
    var storedPieces: [Data]
    /// Bytes over all pieces.
    var storedByteCount: Int { storedPieces.reduce(0) { $0 + $1.count } }
    /// The stored bytes joined (a copy, for callers that decode them in memory).
    var storedBytes: Data {
        storedPieces.count == 1 ? storedPieces[0] : storedPieces.reduce(into: Data()) { $0.append($1) }
    }
    /// What was done about NaN or infinite elements under `--nan zero|keep-float`, for the summary; `nil` when none.
    var nonFiniteNote: String? = nil
}

/// Runs a tensor through a recipe's stages, and undoes a recorded chain (docs/FORMAT.md §4–5).
///
/// A payload starts as one section holding the tensor's elements. A value transform replaces the float section
/// with its own sections; `shuffle` replaces an elements section with its byte planes; an entropy stage codes
/// every section. The stored bytes are the final sections behind a section table (`WPKPayload`); a tensor with no
/// stage is stored as its elements.
struct StageChain: Sendable {
    /// The value transforms known by name.
    var registry: StageRegistry = .standard

    // MARK: Encoding

    /// Encodes `tensor` through `recipe`.
    /// A value transform that reports `notBeneficial` (a low-rank split that would not save elements) is skipped
    /// for this tensor; an entropy stage that leaves every section raw is dropped; a chain left empty, or a lossless
    /// chain whose payload is no smaller than the elements, stores the elements as they are.
    /// - Throws: the stage's error naming the tensor (e.g. NaN in a tensor to quantize); `WeightPackError` with
    ///   `.invalidOption` when a stage needs float values the payload no longer has.
    /// - Parameter releaseInput: called with byte ranges of the tensor's elements as soon as they have been copied
    ///   into Float32 values, so that a caller streaming a memory-mapped file can release their pages while the
    ///   copy proceeds (peak memory: the Float32 copy, not the copy plus the mapped input).
    /// - Parameter populateInput: called with byte ranges of the tensor's elements just before they are read in
    ///   full, so that a memory-mapped source can map them in one call rather than fault them in page by page.
    func encode(
        _ tensor: Tensor, recipe: Recipe, releaseInput: ((Range<Int>) -> Void)? = nil,
        populateInput: ((Range<Int>) -> Void)? = nil
    ) throws -> EncodedTensor {
        var sections = [PayloadSection(kind: .elements(tensor.dtype, tensor.shape), bytes: tensor.data)]
        var codedSections: [[Data]]? = nil  // set by the entropy stage, always the last: each section's pieces
        var stages: [StageDescriptor] = []
        for step in recipe.steps {
            switch step {
            case .value(let transform):
                let type = Swift.type(of: transform)
                guard let position = sections.firstIndex(where: \.kind.holdsFloatValues),
                    case .elements(let dtype, let shape) = sections[position].kind
                else {
                    throw WeightPackError(
                        .invalidOption,
                        "stage '\(type.stageName)' needs float values; \(stages.last.map { "stage '\($0.name)'" } ?? "the tensor's dtype \(tensor.dtype.name)") left none",
                        tensorName: tensor.name)
                }
                let result: Result<TransformOutput, TransformError>
                if stages.isEmpty, dtype == .float32, type.encodesInPlace {
                    // The (mapped) elements are read where they are, with no Float32 copy; their pages go after.
                    populateInput?(0..<tensor.data.count)
                    result = try tensor.withFloat32Values { buffer in
                        Result { () throws(TransformError) -> TransformOutput in
                            try transform.encode(buffer: buffer, shape: shape, tensorName: tensor.name)
                        }
                    }
                    releaseInput?(0..<tensor.data.count)
                } else {
                    let values =
                        stages.isEmpty && dtype == .float32
                        ? Self.copyFloat32(
                            sections[position].bytes, populating: populateInput, releasing: releaseInput)
                        : try Tensor(name: tensor.name, dtype: dtype, shape: shape, data: sections[position].bytes)
                            .float32Values()
                    if stages.isEmpty, dtype != .float32 { releaseInput?(0..<tensor.data.count) }
                    result = Result { () throws(TransformError) -> TransformOutput in
                        try transform.encode(values, shape: shape, tensorName: tensor.name)
                    }
                }
                if case .failure(let error) = result, error.code == .notBeneficial {
                    // A stage applied only where it saves bytes (a low-rank split): this tensor goes on without it.
                    continue
                }
                let output = try result.get()
                sections.replaceSubrange(position...position, with: output.sections)
                stages.append(
                    StageDescriptor(
                        name: type.stageName, parameters: output.parameters,
                        outputByteCount: Self.serializedByteCount(sections)))
            case .shuffle:
                guard
                    let position = sections.firstIndex(where: { if case .elements = $0.kind { true } else { false } }),
                    case .elements(let dtype, _) = sections[position].kind
                else {
                    throw WeightPackError(
                        .invalidOption, "stage 'shuffle' needs elements; none are left", tensorName: tensor.name)
                }
                let output = try ByteShuffle().encode(
                    sections[position].bytes, dtype: dtype, tensorName: tensor.name,
                    releasing: stages.isEmpty ? releaseInput : nil)
                sections.replaceSubrange(position...position, with: output.sections)
                stages.append(
                    StageDescriptor(
                        name: ByteShuffle.stageName, parameters: output.parameters,
                        outputByteCount: Self.serializedByteCount(sections)))
            case .entropy(let choice):
                // Sections are coded in parallel: a large tensor's planes or streams keep every core busy.
                let results = try ParallelMap.map(sections.count) { index in
                    try SectionCoding.encodePieces(sections[index], choice: choice)
                }
                if stages.isEmpty { releaseInput?(0..<tensor.data.count) }
                let coders = results.map(\.1)
                if coders.contains(where: { $0 != .raw }) {
                    let coded = results.map(\.0)
                    codedSections = coded
                    var parameters = ["coders": coders.map(\.name).joined(separator: ",")]
                    if case .zstd(let level) = choice { parameters["level"] = String(level) }
                    stages.append(
                        StageDescriptor(
                            name: choice.stageName, parameters: parameters,
                            outputByteCount: WPKPayload.serializedByteCount(
                                sectionByteCounts: coded.map { $0.reduce(0) { $0 + $1.count } })))
                }
            case .globalPrune:
                throw WeightPackError(
                    .invalidOption, "a global prune step must be resolved to a threshold before encoding",
                    tensorName: tensor.name)
            }
        }
        guard !stages.isEmpty else { return EncodedTensor(tensor: tensor, stages: [], storedPieces: [tensor.data]) }
        let stored = WPKPayload.serializedPieces(codedSections ?? sections.map { [$0.bytes] })
        if !recipe.isLossy, stored.reduce(0, { $0 + $1.count }) >= tensor.data.count {
            // A lossless chain that saves nothing (a tiny tensor, random bytes): store the elements as they are.
            return EncodedTensor(tensor: tensor, stages: [], storedPieces: [tensor.data])
        }
        return EncodedTensor(tensor: tensor, stages: stages, storedPieces: stored)
    }

    /// Float32 elements copied from `bytes` (little-endian) in chunks of 16 MiB, `populate` called before each and
    /// `release` after.
    static func copyFloat32(
        _ bytes: Data, populating populate: ((Range<Int>) -> Void)? = nil, releasing release: ((Range<Int>) -> Void)?
    ) -> [Float] {
        let count = bytes.count / 4
        let chunk = 1 << 22
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                for start in stride(from: 0, to: count, by: chunk) {
                    let end = min(start + chunk, count)
                    populate?((4 * start)..<(4 * end))
                    for index in start..<end {
                        buffer[index] = Float(
                            bitPattern: UInt32(
                                littleEndian: raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
                    }
                    release?((4 * start)..<(4 * end))
                }
            }
            initialized = count
        }
    }

    static func serializedByteCount(_ sections: [PayloadSection]) -> Int {
        WPKPayload.serializedByteCount(sectionByteCounts: sections.map(\.bytes.count))
    }

    // MARK: Decoding

    /// What one recorded stage did, worked out from the index before any byte is decoded.
    private enum PlannedStage {
        case value(
            any ValueTransform.Type, parameters: [String: String], position: Int, inputShape: Shape,
            outputCount: Int)
        case shuffle(parameters: [String: String], position: Int, dtype: DType, shape: Shape, outputCount: Int)
    }

    /// Undoes `record.stages` on `stored`, last stage first.
    /// - Returns: a tensor of the record's dtype, or Float32 when a lossy stage was applied.
    /// - Throws: `WeightPackError.Code.unknownStage` for a stage this version does not know or one out of order;
    ///   `.invalidStageParameters` when the recorded parameters disagree with the shape or the payload; the stage's
    ///   own error when the bytes are corrupt.
    func decode(_ stored: Data, record: WPKTensorRecord) throws -> Tensor {
        guard !record.stages.isEmpty else {
            return try Tensor(name: record.name, dtype: record.dtype, shape: record.shape, data: stored)
        }
        let elementCount = try record.shape.elementCount()
        var kinds: [PayloadSection.Kind] = [.elements(record.dtype, record.shape)]
        var plan: [PlannedStage] = []
        var entropyCoded = false
        for (index, stage) in record.stages.enumerated() {
            guard !entropyCoded else {
                throw WeightPackError(
                    .unknownStage, "stage '\(stage.name)' follows an entropy stage; an entropy stage must be last",
                    tensorName: record.name)
            }
            if let type = registry.transform(named: stage.name) {
                guard let position = kinds.firstIndex(where: \.holdsFloatValues),
                    case .elements(_, let shape) = kinds[position]
                else {
                    throw WeightPackError(
                        .invalidStageParameters,
                        "stage \(index) '\(stage.name)' needs float values; the stages before it left none",
                        tensorName: record.name)
                }
                let outputs = try type.outputKinds(parameters: stage.parameters, shape: shape)
                try Self.checkKinds(outputs, stage: stage.name, tensorName: record.name)
                kinds.replaceSubrange(position...position, with: outputs)
                plan.append(
                    .value(
                        type, parameters: stage.parameters, position: position, inputShape: shape,
                        outputCount: outputs.count))
            } else if stage.name == ByteShuffle.stageName {
                guard let position = kinds.firstIndex(where: { if case .elements = $0 { true } else { false } }),
                    case .elements(let dtype, let shape) = kinds[position]
                else {
                    throw WeightPackError(
                        .invalidStageParameters, "stage \(index) 'shuffle' needs elements; none are left",
                        tensorName: record.name)
                }
                let outputs = try ByteShuffle.outputKinds(
                    parameters: stage.parameters, dtype: dtype, elementCount: try shape.elementCount())
                try Self.checkKinds(outputs, stage: stage.name, tensorName: record.name)
                kinds.replaceSubrange(position...position, with: outputs)
                plan.append(
                    .shuffle(
                        parameters: stage.parameters, position: position, dtype: dtype, shape: shape,
                        outputCount: outputs.count))
            } else if EntropyChoice.stageNames.contains(stage.name) {
                entropyCoded = true
            } else {
                throw WeightPackError(
                    .unknownStage, "stage '\(stage.name)' is not known to this version of WeightPack",
                    tensorName: record.name)
            }
            guard kinds.count <= WPKPayload.maximumSectionCount else {
                throw WeightPackError(
                    .invalidStageParameters,
                    "the stage chain produces \(kinds.count) sections; at most \(WPKPayload.maximumSectionCount) are allowed",
                    tensorName: record.name)
            }
        }
        let stored = try WPKPayload.parse(stored, expectedSectionCount: kinds.count, tensorName: record.name)
        var sections: [PayloadSection] = []
        sections.reserveCapacity(kinds.count)
        // No valid section decodes to more than 4 bytes per element plus a small table.
        let maximumByteCount = elementCount.multipliedReportingOverflow(by: 4).partialValue + (1 << 16)
        for (position, (kind, bytes)) in zip(kinds, stored).enumerated() {
            var exact: Int? = nil
            if case .elements(let dtype, let shape) = kind { exact = try shape.byteCount(of: dtype) }
            let decoded =
                entropyCoded
                ? try SectionCoding.decode(
                    bytes, symbolWidth: kind.symbolWidth, exactByteCount: exact, maximumByteCount: maximumByteCount,
                    position: position)
                : bytes
            if let exact, decoded.count != exact {
                throw WeightPackError(
                    .invalidStageParameters,
                    "section \(position) (\(kind)) holds \(decoded.count) bytes; it needs \(exact)",
                    tensorName: record.name)
            }
            sections.append(PayloadSection(kind: kind, bytes: decoded))
        }
        for planned in plan.reversed() {
            switch planned {
            case .value(let type, let parameters, let position, let shape, let outputCount):
                let range = position..<(position + outputCount)
                let bytes = try type.decodeBytes(
                    Array(sections[range]), parameters: parameters, shape: shape, tensorName: record.name)
                guard bytes.count == 4 * (try shape.elementCount()) else {
                    throw WeightPackError(
                        .invalidStageParameters,
                        "stage '\(type.stageName)' decoded \(bytes.count / 4) values; shape \(shape) needs \(try shape.elementCount())",
                        tensorName: record.name)
                }
                sections.replaceSubrange(range, with: [PayloadSection(kind: .elements(.float32, shape), bytes: bytes)])
            case .shuffle(let parameters, let position, let dtype, let shape, let outputCount):
                let range = position..<(position + outputCount)
                let bytes = try ByteShuffle.decode(
                    Array(sections[range]), parameters: parameters, dtype: dtype,
                    elementCount: try shape.elementCount(), tensorName: record.name)
                sections.replaceSubrange(range, with: [PayloadSection(kind: .elements(dtype, shape), bytes: bytes)])
            }
        }
        guard sections.count == 1, case .elements(let dtype, let shape) = sections[0].kind, shape == record.shape else {
            throw WeightPackError(
                .invalidStageParameters,
                "the stage chain leaves \(sections.map(\.kind.description).joined(separator: ", ")); it must leave the tensor's elements",
                tensorName: record.name)
        }
        return try Tensor(name: record.name, dtype: dtype, shape: shape, data: sections[0].bytes)
    }

    /// A transform's output may hold at most one float section, and its count must be in range.
    private static func checkKinds(_ kinds: [PayloadSection.Kind], stage: String, tensorName: String)
        throws(WeightPackError)
    {
        guard !kinds.isEmpty, kinds.count <= WPKPayload.maximumSectionCount,
            kinds.filter(\.holdsFloatValues).count <= 1
        else {
            throw WeightPackError(
                .invalidStageParameters,
                "stage '\(stage)' records \(kinds.count) output sections (\(kinds.filter(\.holdsFloatValues).count) of float values); it must produce 1...\(WPKPayload.maximumSectionCount) with at most one of float values",
                tensorName: tensorName)
        }
    }
}
