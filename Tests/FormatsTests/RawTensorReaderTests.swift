import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// `RawTensorReader`: bare binary of one dtype and shape, from a byte offset, in either byte order.
struct RawTensorReaderTests {
    /// Writes `bytes` to `name` in `folder` and returns the path.
    private func file(_ bytes: [UInt8], named name: String = "w.bin", in folder: TemporaryDirectory) throws -> String {
        let path = folder.path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `bytes` with each `width`-byte element reversed, computed here rather than with `ByteSwap`.
    private func reversingElements(_ bytes: [UInt8], width: Int) -> [UInt8] {
        stride(from: 0, to: bytes.count, by: width).flatMap { bytes[$0..<($0 + width)].reversed() }
    }

    private func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in generator.byte() }
    }

    private func readError(
        _ path: String, dtype: DType = .float32, shape: Shape, offset: Int = 0,
        order: RawTensorReader.ByteOrder = .little
    ) -> FormatError? {
        #expect(throws: FormatError.self) {
            try RawTensorReader.read(
                path: path, name: "w", dtype: dtype, shape: shape, byteOffset: offset, byteOrder: order)
        }
    }

    // MARK: byte-literal reads, one per element width

    @Test func bigEndianOneByteElementsAreReadAsStored() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try file([0x01, 0xFF, 0x80], in: folder)
        for dtype in [DType.uint8, .int8, .bool] {
            let tensor = try RawTensorReader.read(path: path, name: "w", dtype: dtype, shape: [3], byteOrder: .big)
            #expect([UInt8](tensor.data) == [0x01, 0xFF, 0x80], "\(dtype)")
        }
    }

    @Test func bigEndianInt16IsSwappedPerElement() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try file([0x01, 0x02, 0xFF, 0xFE], in: folder)
        let tensor = try RawTensorReader.read(path: path, name: "w", dtype: .int16, shape: [2], byteOrder: .big)
        #expect([UInt8](tensor.data) == [0x02, 0x01, 0xFE, 0xFF])
        let values = tensor.data.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }.map(Int16.init(littleEndian:))
        #expect(values == [258, -2])
    }

    @Test func bigEndianFloat32IsSwappedPerElement() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try file([0x3F, 0x80, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00], in: folder)
        let tensor = try RawTensorReader.read(path: path, name: "w", dtype: .float32, shape: [2], byteOrder: .big)
        #expect(try tensor.float32Values() == [1.0, -2.0])
    }

    @Test func bigEndianFloat64IsSwappedPerElement() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try file([0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0xC0, 0x08, 0, 0, 0, 0, 0, 0], in: folder)
        let tensor = try RawTensorReader.read(path: path, name: "w", dtype: .float64, shape: [2], byteOrder: .big)
        #expect([UInt8](tensor.data) == [0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0x08, 0xC0])
    }

    @Test func littleEndianFloat32IsReadAsStored() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try file([0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0], in: folder)
        let tensor = try RawTensorReader.read(path: path, name: "w", dtype: .float32, shape: [2])
        #expect(try tensor.float32Values() == [1.0, -2.0])
        #expect(tensor.name == "w" && tensor.dtype == .float32 && tensor.shape == [2])
    }

    // MARK: every dtype, both byte orders, several shapes

    @Test(arguments: DType.allCases, [RawTensorReader.ByteOrder.little, .big])
    func everyDTypeReadsInBothByteOrders(dtype: DType, order: RawTensorReader.ByteOrder) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let shape: Shape = [3, 5]
        let payload = randomBytes(try shape.byteCount(of: dtype), seed: UInt64(dtype.byteWidth) * 31 + 7)
        let stored = order == .big ? reversingElements(payload, width: dtype.byteWidth) : payload
        let path = try file(stored, in: folder)
        let tensor = try RawTensorReader.read(path: path, name: "w", dtype: dtype, shape: shape, byteOrder: order)
        #expect([UInt8](tensor.data) == payload)
        #expect(tensor.dtype == dtype && tensor.shape == shape)
    }

    @Test(arguments: [[], [0], [1], [2, 0, 3], [4, 1, 2]] as [Shape])
    func edgeShapesReadExactlyTheirBytes(shape: Shape) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let payload = randomBytes(try shape.byteCount(of: .float16), seed: 3)
        let path = try file(payload, in: folder)
        let tensor = try RawTensorReader.read(path: path, name: "w", dtype: .float16, shape: shape, byteOrder: .big)
        #expect([UInt8](tensor.data) == reversingElements(payload, width: 2))
        #expect(tensor.shape == shape)
    }

    // MARK: offsets

    @Test(arguments: [RawTensorReader.ByteOrder.little, .big])
    func offsetSkipsALeadingHeader(order: RawTensorReader.ByteOrder) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let header: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x11, 0x22]
        let payload = randomBytes(24, seed: 9)
        let stored = order == .big ? reversingElements(payload, width: 4) : payload
        let path = try file(header + stored, in: folder)
        let tensor = try RawTensorReader.read(
            path: path, name: "w", dtype: .int32, shape: [2, 3], byteOffset: header.count, byteOrder: order)
        #expect([UInt8](tensor.data) == payload)
    }

    @Test func offsetAtTheEndReadsAnEmptyTensor() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try file([1, 2, 3, 4], in: folder)
        let tensor = try RawTensorReader.read(path: path, name: "w", dtype: .float32, shape: [0], byteOffset: 4)
        #expect(tensor.data.isEmpty)
    }

    @Test func negativeOffsetIsOutOfBounds() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try file([1, 2, 3, 4], in: folder)
        let error = readError(path, shape: [1], offset: -1)
        #expect(error?.code == .offsetsOutOfBounds)
        #expect(error?.message.contains("-1") == true, "\(String(describing: error))")
        #expect(error?.path == path)
    }

    @Test func offsetPastTheEndIsOutOfBounds() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try file([1, 2, 3, 4], in: folder)
        let error = readError(path, shape: [0], offset: 5)
        #expect(error?.code == .offsetsOutOfBounds)
        #expect(error?.message.contains("5") == true && error?.message.contains("4 bytes") == true)
    }

    // MARK: size errors

    @Test func aFileLongerThanTheShapeNamesBothByteCounts() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try file(Array(repeating: 0, count: 10), in: folder)
        let error = readError(path, shape: [2])
        #expect(error?.code == .byteCountMismatch)
        #expect(error?.message == "10 bytes after offset 0; f32 × [2] needs 8")
        #expect(error?.path == path)
        #expect(error?.tensorName == "w")
    }

    @Test func aFileShorterThanTheShapeNamesBothByteCountsAfterTheOffset() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try file(Array(repeating: 0, count: 12), in: folder)
        let error = readError(path, dtype: .float64, shape: [2, 1], offset: 4)
        #expect(error?.code == .byteCountMismatch)
        #expect(error?.message == "8 bytes after offset 4; f64 × [2, 1] needs 16")
    }

    @Test func aShapeWhoseByteCountOverflowsIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try file([0, 0, 0, 0], in: folder)
        let error = readError(path, dtype: .float64, shape: [1 << 61])
        #expect(error?.code == .shapeOverflow)
        #expect(error?.tensorName == "w")
    }

    @Test func aMissingFileIsAnIOFailure() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let error = readError(folder.path("absent.bin"), shape: [1])
        #expect(error?.code == .ioFailure)
        #expect(error?.path == folder.path("absent.bin"))
    }

    @Test func aFolderIsAnIOFailure() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        #expect(readError(folder.url.path, shape: [0])?.code == .ioFailure)
    }

    // MARK: properties

    /// Seeded round trip: random dtype, shape, header length and byte order; the tensor is the payload.
    @Test func seededRoundTripOverRandomLayouts() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var generator = SplitMix64(seed: 0x5241_5721)
        for trial in 0..<150 {
            let dtype = DType.allCases[generator.int(below: DType.allCases.count)]
            let shape = Shape((0..<generator.int(below: 4)).map { _ in generator.int(below: 5) })
            let offset = generator.int(below: 17)
            let order: RawTensorReader.ByteOrder = generator.int(below: 2) == 0 ? .little : .big
            let payload = (0..<(try shape.byteCount(of: dtype))).map { _ in generator.byte() }
            let header = (0..<offset).map { _ in generator.byte() }
            let stored = order == .big ? reversingElements(payload, width: dtype.byteWidth) : payload
            let path = try file(header + stored, named: "t\(trial).bin", in: folder)
            let tensor = try RawTensorReader.read(
                path: path, name: "t", dtype: dtype, shape: shape, byteOffset: offset, byteOrder: order)
            #expect([UInt8](tensor.data) == payload, "trial \(trial): \(dtype.name) \(shape) offset \(offset) \(order)")
        }
    }

    /// Every file length and offset around a valid layout: success exactly when the sizes agree, else a
    /// `FormatError`; never a crash.
    @Test func everyLengthAndOffsetThrowsOrReadsButNeverCrashes() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let full = randomBytes(32, seed: 21)
        for length in 0...full.count {
            let path = try file(Array(full[0..<length]), named: "len\(length).bin", in: folder)
            for offset in -2...(length + 2) {
                do {
                    let tensor = try RawTensorReader.read(
                        path: path, name: "w", dtype: .float32, shape: [2, 3], byteOffset: offset, byteOrder: .big)
                    #expect(offset >= 0 && length - offset == 24, "length \(length), offset \(offset)")
                    #expect(tensor.data.count == 24)
                } catch {
                    #expect(!(offset >= 0 && length - offset == 24), "length \(length), offset \(offset): \(error)")
                }
            }
        }
    }
}

/// `ByteSwap`: per-element byte reversal.
struct ByteSwapTests {
    @Test func reversesEachElementOfTheGivenWidth() {
        let bytes = Data([1, 2, 3, 4, 5, 6, 7, 8])
        #expect([UInt8](ByteSwap.swapped(bytes, width: 1)) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect([UInt8](ByteSwap.swapped(bytes, width: 2)) == [2, 1, 4, 3, 6, 5, 8, 7])
        #expect([UInt8](ByteSwap.swapped(bytes, width: 4)) == [4, 3, 2, 1, 8, 7, 6, 5])
        #expect([UInt8](ByteSwap.swapped(bytes, width: 8)) == [8, 7, 6, 5, 4, 3, 2, 1])
    }

    @Test func swappingTwiceGivesBackTheBytesAndSlicesWork() {
        var generator = SplitMix64(seed: 4)
        let backing = Data((0..<70).map { _ in generator.byte() })
        let slice = backing[6..<70]
        for width in [1, 2, 4, 8] {
            let once = ByteSwap.swapped(slice, width: width)
            #expect(once.count == 64)
            #expect(ByteSwap.swapped(once, width: width) == Data(slice), "width \(width)")
        }
        #expect(ByteSwap.swapped(Data(), width: 4).isEmpty)
    }
}
