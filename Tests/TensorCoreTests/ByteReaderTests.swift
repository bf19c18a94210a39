import Foundation
import TestSupport
import Testing

@testable import TensorCore

struct ByteReaderTests {
    private let bytes: [UInt8] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xFF, 0xFE, 0x80]

    @Test func readsLittleEndianIntegersAndMovesTheCursor() throws {
        var reader = ByteReader(bytes)
        #expect(try reader.readUInt16LE() == 0x0201)
        #expect(reader.offset == 2)
        #expect(try reader.readUInt32LE() == 0x0605_0403)
        #expect(reader.offset == 6)
        #expect(try reader.readIntegerLE(as: Int16.self) == 0x0807)
        #expect(try reader.readIntegerLE(as: Int16.self) == -257)  // 0xFEFF
        #expect(try reader.readIntegerLE(as: Int8.self) == -128)
        #expect(reader.remaining == 0)
    }

    @Test func readsUInt64LittleEndian() throws {
        var reader = ByteReader(bytes)
        #expect(try reader.readUInt64LE() == 0x0807_0605_0403_0201)
        #expect(reader.remaining == 3)
    }

    @Test func getDoesNotMoveTheCursor() throws {
        let reader = ByteReader(bytes)
        #expect(try reader.getIntegerLE(at: 8, as: UInt16.self) == 0xFEFF)
        #expect(try reader.getIntegerLE(at: 3, as: UInt64.self) == 0x80FE_FF08_0706_0504)
        #expect(reader.offset == 0)
    }

    @Test func offsetsAreRelativeToTheSliceStart() throws {
        let slice = bytes[4..<10]  // startIndex 4
        var reader = ByteReader(slice)
        #expect(try reader.readUInt16LE() == 0x0605)
        #expect(try reader.getIntegerLE(at: 4, as: UInt16.self) == 0xFEFF)
        #expect(Array(try reader.readBytes(4)) == [0x07, 0x08, 0xFF, 0xFE])
        #expect(throws: CoreError.self) { try reader.readIntegerLE(as: UInt8.self) }
    }

    @Test func readsFromData() throws {
        var reader = ByteReader(Data([0x2A, 0, 0, 0]))
        #expect(try reader.readUInt32LE() == 42)
    }

    @Test func readPastTheEndThrowsUnexpectedEndAndKeepsTheCursor() throws {
        var reader = ByteReader(bytes)
        _ = try reader.readBytes(8)
        let error = #expect(throws: CoreError.self) { try reader.readUInt64LE() }
        #expect(error?.code == .unexpectedEnd)
        #expect(error?.byteOffset == 8)
        #expect(error?.message.contains("need 8 bytes") == true)
        #expect(error?.message.contains("3 left") == true)
        #expect(reader.offset == 8)
        #expect(try reader.readUInt16LE() == 0xFEFF)
    }

    @Test(arguments: [-1, -8, 11, 12, 1000, Int.max, Int.max - 1])
    func getAtAnOutOfRangeOffsetThrows(offset: Int) {
        let reader = ByteReader(bytes)
        let error = #expect(throws: CoreError.self) { try reader.getIntegerLE(at: offset, as: UInt32.self) }
        #expect(error?.code == .unexpectedEnd)
        #expect(error?.byteOffset == offset)
    }

    /// The error message once computed `bytes.count - offset`, which overflows (a trap) for `Int.min`;
    /// run in a child process so that a regression fails this test instead of crashing the run.
    @Test func getAtIntMinThrowsInsteadOfTrapping() async {
        await #expect(processExitsWith: .success) {
            let reader = ByteReader([UInt8](repeating: 0, count: 4))
            do throws(CoreError) {
                _ = try reader.getIntegerLE(at: Int.min, as: UInt32.self)
                exit(1)
            } catch {
                exit(error.code == .unexpectedEnd ? 0 : 2)
            }
        }
    }

    @Test(arguments: [-1, 4, Int.max, Int.min])
    func readBytesWithAnImpossibleCountThrows(count: Int) throws {
        var reader = ByteReader([UInt8]([1, 2, 3]))
        let error = #expect(throws: CoreError.self) { try reader.readBytes(count) }
        #expect(error?.code == .unexpectedEnd)
        #expect(reader.offset == 0)
        #expect(Array(try reader.readBytes(3)) == [1, 2, 3])
    }

    @Test func emptyInputThrowsOnEveryRead() {
        var reader = ByteReader([UInt8]())
        #expect(throws: CoreError.self) { try reader.readIntegerLE(as: UInt8.self) }
        #expect(throws: CoreError.self) { try reader.readUInt16LE() }
        #expect(throws: CoreError.self) { try reader.readUInt64LE() }
        #expect(throws: CoreError.self) { try reader.getIntegerLE(at: 0, as: UInt8.self) }
        #expect((try? reader.readBytes(0))?.isEmpty == true)
    }

    @Test func writerWritesLittleEndianAndPadding() {
        var writer = ByteWriter()
        writer.writeIntegerLE(UInt16(0x0201))
        writer.writeIntegerLE(Int32(-2))
        writer.writeIntegerLE(UInt64(0x0807_0605_0403_0201))
        writer.writeBytes([0xAA, 0xBB])
        writer.writePadding(3)
        writer.writePadding(2, byte: 0x20)
        #expect(
            writer.bytes == [
                0x01, 0x02, 0xFE, 0xFF, 0xFF, 0xFF, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xAA, 0xBB,
                0, 0, 0, 0x20, 0x20,
            ])
    }

    @Test func writerAndReaderRoundTripSeededIntegers() throws {
        var generator = SplitMix64(seed: 7)
        let values = (0..<500).map { _ in generator.next() }
        var writer = ByteWriter()
        for value in values {
            writer.writeIntegerLE(value)
            writer.writeIntegerLE(UInt32(truncatingIfNeeded: value))
            writer.writeIntegerLE(Int16(truncatingIfNeeded: value))
        }
        var reader = ByteReader(writer.bytes)
        for value in values {
            #expect(try reader.readUInt64LE() == value)
            #expect(try reader.readUInt32LE() == UInt32(truncatingIfNeeded: value))
            #expect(try reader.readIntegerLE(as: Int16.self) == Int16(truncatingIfNeeded: value))
        }
        #expect(reader.remaining == 0)
    }
}
