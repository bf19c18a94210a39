import TensorCore

extension GGUFHeader {
    /// Reads `count` tensor infos (GGUF spec `gguf_tensor_info_t`); `infoOffsets` receives where each begins.
    static func parseTensorInfos(_ cursor: inout GGUFCursor, count: Int, infoOffsets: inout [Int])
        throws(FormatError) -> [GGUFTensorInfo]
    {
        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(count)
        infoOffsets.reserveCapacity(count)
        var names = Set<TensorNameKey>()
        for index in 0..<count {
            let start = cursor.offset
            let name = try cursor.readString("name of tensor \(index)", invalidCode: .invalidTensorInfo)
            guard names.insert(TensorNameKey(name)).inserted else {
                throw FormatError(
                    .duplicateTensorName, "a second tensor has this name (tensor info \(index))", tensorName: name,
                    byteOffset: start)
            }
            do throws(FormatError) {
                tensors.append(try parseTensorInfo(&cursor, name: name))
            } catch {
                var named = error
                named.tensorName = name
                throw named
            }
            infoOffsets.append(start)
        }
        return tensors
    }

    private static func parseTensorInfo(_ cursor: inout GGUFCursor, name: String) throws(FormatError)
        -> GGUFTensorInfo
    {
        let dimensionCountOffset = cursor.offset
        let dimensionCount: UInt32 = try cursor.readInteger("dimension count")
        guard dimensionCount <= UInt32(maximumDimensionCount) else {
            throw FormatError(
                .invalidTensorInfo,
                "tensor has \(dimensionCount) dimensions; GGML allows at most \(maximumDimensionCount) (GGML_MAX_DIMS)",
                byteOffset: dimensionCountOffset)
        }
        var dimensions: [Int] = []
        for axis in 0..<Int(dimensionCount) {
            let offset = cursor.offset
            let size: UInt64 = try cursor.readInteger("ne[\(axis)]")
            guard let value = Int(exactly: size) else {
                throw FormatError(
                    .shapeOverflow, "ne[\(axis)] is \(size), more than a signed 64-bit size can hold",
                    byteOffset: offset)
            }
            dimensions.append(value)
        }
        let typeOffset = cursor.offset
        let type = GGMLType(rawValue: try cursor.readInteger("GGML type"))
        let byteCount: Int
        do throws(FormatError) {
            byteCount = try GGUFTensorInfo.byteCount(name: name, dimensions: dimensions, type: type)
        } catch {
            var located = error
            located.byteOffset = error.code == .unknownDType ? typeOffset : dimensionCountOffset
            throw located
        }
        let offsetOffset = cursor.offset
        let offset: UInt64 = try cursor.readInteger("data offset")
        guard let dataOffset = Int(exactly: offset) else {
            throw FormatError(
                .offsetsOutOfBounds, "data offset \(offset) is beyond any file", byteOffset: offsetOffset)
        }
        return GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: dataOffset, byteCount: byteCount)
    }

    /// Checks that each tensor's offset is aligned, that its bytes lie in the file, and that no two overlap.
    /// Gaps between tensors are allowed (the spec does not forbid them; llama.cpp's loader is stricter and wants
    /// each tensor right after the previous one's padding, as ``GGUFWriter`` writes them).
    static func checkPlacement(
        _ tensors: [GGUFTensorInfo], infoOffsets: [Int], alignment: Int, dataStart: Int, fileByteCount: Int
    ) throws(FormatError) {
        guard tensors.isEmpty || dataStart <= fileByteCount else {
            throw FormatError(
                .headerPastEnd,
                "the aligned data section starts at byte \(dataStart), past the end of the file (\(fileByteCount) bytes)",
                byteOffset: fileByteCount)
        }
        let dataByteCount = max(0, fileByteCount - dataStart)
        for (info, infoOffset) in zip(tensors, infoOffsets) {
            guard info.offset % alignment == 0 else {
                throw FormatError(
                    .offsetMisaligned,
                    "data offset \(info.offset) is not a multiple of the alignment \(alignment)",
                    tensorName: info.name, byteOffset: infoOffset)
            }
            let (end, overflow) = info.offset.addingReportingOverflow(info.byteCount)
            guard !overflow, end <= dataByteCount else {
                throw FormatError(
                    .offsetsOutOfBounds,
                    "data [\(info.offset), \(info.offset) + \(info.byteCount)) of \(info.type.name) × ne \(info.dimensions) runs past the data section of \(dataByteCount) bytes (starting at byte \(dataStart))",
                    tensorName: info.name, byteOffset: infoOffset)
            }
        }
        let order = tensors.indices.filter { tensors[$0].byteCount > 0 }.sorted {
            (tensors[$0].offset, $0) < (tensors[$1].offset, $1)
        }
        for (previous, next) in zip(order, order.dropFirst()) {
            let before = tensors[previous]
            let after = tensors[next]
            if after.offset < before.offset + before.byteCount {
                throw FormatError(
                    .offsetsOverlap,
                    "data [\(after.offset), \(after.offset + after.byteCount)) overlaps tensor '\(before.name)' at [\(before.offset), \(before.offset + before.byteCount))",
                    tensorName: after.name, byteOffset: infoOffsets[next])
            }
        }
    }
}
