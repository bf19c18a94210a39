/// The code table in a frame: escape bit count, coded values as runs, code lengths (see `HuffmanCodec`).
extension HuffmanAlphabet {
    /// The largest alphabet (escape excluded) a frame may record for symbols of `width` bytes.
    static func maximumValueCount(width: Int) -> Int { width == 1 ? 256 : HuffmanCodec.maximumAlphabetCount }

    /// Appends the table to `frame`.
    func write(into frame: inout [UInt8]) {
        frame.append(escapeBitCount.map { UInt8($0) } ?? 0xFF)
        frame.appendVarint(values.count)
        var runs: [(start: Int64, length: Int)] = []
        for value in values {
            if let last = runs.last, last.start + Int64(last.length) == Int64(value) {
                runs[runs.count - 1].length += 1
            } else {
                runs.append((Int64(value), 1))
            }
        }
        frame.appendVarint(runs.count)
        var previousEnd: Int64 = 0
        for (index, run) in runs.enumerated() {
            let start = index == 0 ? Int(zigZag(Int32(run.start))) : Int(run.start - previousEnd - 2)
            frame.appendVarint(start)
            frame.appendVarint(run.length - 1)
            previousEnd = run.start + Int64(run.length) - 1
        }
        guard lengths.count > 1 else { return }
        var bits = LengthBitWriter()
        bits.write(UInt32(lengths[0]), count: 4)
        for index in 1..<lengths.count {
            let delta = Int(lengths[index]) - Int(lengths[index - 1])
            switch delta {
            case 0: bits.write(0, count: 1)
            case 1: bits.write(0b001, count: 3)
            case -1: bits.write(0b101, count: 3)
            default: bits.write(0b11 | UInt32(lengths[index]) << 2, count: 6)
            }
        }
        frame.append(contentsOf: bits.finish())
    }

    /// Reads a table for symbols of `width` bytes, checking every count, value and length.
    /// - Throws: `CodecError.Code.corruptInput` naming the field that is out of range or truncated, or when
    ///   the code lengths do not form a complete prefix code.
    static func read(from cursor: inout HuffmanFrameCursor, width: Int) throws(CodecError) -> HuffmanAlphabet {
        let escapeByte = try cursor.readUInt8("escape bit count")
        guard escapeByte == 0xFF || (width > 1 && Int(escapeByte) <= 8 * width) else {
            throw corrupt("escape bit count \(escapeByte) is invalid for width \(width)")
        }
        let escapeBitCount = escapeByte == 0xFF ? nil : Int(escapeByte)
        let valueCount = try cursor.readVarint("value count")
        guard valueCount <= maximumValueCount(width: width) else {
            throw corrupt(
                "the table lists \(valueCount) values; width \(width) allows \(maximumValueCount(width: width))")
        }
        let values = try readValues(from: &cursor, count: valueCount, width: width)
        let symbolCount = valueCount + (escapeBitCount == nil ? 0 : 1)
        guard symbolCount > 0 else { throw corrupt("the table has no symbol") }
        let lengths = symbolCount == 1 ? [0] : try readLengths(from: &cursor, count: symbolCount)
        return HuffmanAlphabet(values: values, escapeBitCount: escapeBitCount, lengths: lengths)
    }

    /// Reads the runs of coded values.
    private static func readValues(from cursor: inout HuffmanFrameCursor, count: Int, width: Int) throws(CodecError)
        -> [Int32]
    {
        let bound = Int64(1) << Int64(8 * width - 1)
        let runCount = try cursor.readVarint("run count")
        guard runCount <= count, (runCount == 0) == (count == 0) else {
            throw corrupt("the table lists \(runCount) runs for \(count) values")
        }
        var values: [Int32] = []
        values.reserveCapacity(count)
        var previousEnd: Int64 = 0
        for index in 0..<runCount {
            let startField = try cursor.readVarint("start of run \(index)")
            let lengthField = try cursor.readVarint("length of run \(index)")
            var start: Int64
            if index == 0 {
                guard startField <= Int(UInt32.max) else { throw corrupt("run 0 starts at zig-zag \(startField)") }
                start = Int64(unZigZag(UInt32(startField)))
            } else {
                guard startField < 1 << 40 else { throw corrupt("run \(index) has a gap of \(startField)") }
                start = previousEnd + 2 + Int64(startField)
            }
            guard lengthField < count - values.count, start >= -bound,
                start + Int64(lengthField) < bound
            else {
                throw corrupt(
                    "run \(index) (start \(start), \(lengthField &+ 1) values) leaves the width-\(width) range or the \(count) values"
                )
            }
            for value in start...(start + Int64(lengthField)) { values.append(Int32(value)) }
            previousEnd = start + Int64(lengthField)
        }
        guard values.count == count else { throw corrupt("the runs hold \(values.count) values; expected \(count)") }
        return values
    }

    /// Reads `count` code lengths and checks that they form a complete code.
    private static func readLengths(from cursor: inout HuffmanFrameCursor, count: Int) throws(CodecError) -> [UInt8] {
        let limit = HuffmanCodec.maximumCodeLength
        var bits = LengthBitReader()
        var lengths = [UInt8](repeating: 0, count: count)
        var length = Int(try bits.read(4, from: &cursor))
        for index in 0..<count {
            if index > 0 {
                if try bits.read(1, from: &cursor) == 0 {
                    // Same length.
                } else if try bits.read(1, from: &cursor) == 0 {
                    length += try bits.read(1, from: &cursor) == 0 ? 1 : -1
                } else {
                    length = Int(try bits.read(4, from: &cursor))
                }
            }
            guard (1...limit).contains(length) else {
                throw corrupt("symbol \(index) has code length \(length); lengths must be 1...\(limit)")
            }
            lengths[index] = UInt8(length)
        }
        let kraft = HuffmanCodeLengths.kraftSum(lengths: lengths, limit: limit)
        guard kraft == 1 << limit else {
            throw corrupt("the code lengths fill \(kraft) of \(1 << limit) code slots; a complete code fills all")
        }
        return lengths
    }

    private static func corrupt(_ message: String) -> CodecError {
        CodecError(.corruptInput, "corrupt code table: " + message, codecName: "huffman")
    }
}

/// Writes the code-length bit stream, least significant bit first.
private struct LengthBitWriter {
    private var bytes: [UInt8] = []
    private var accumulator: UInt32 = 0
    private var bitCount = 0

    mutating func write(_ value: UInt32, count: Int) {
        accumulator |= value << UInt32(bitCount)
        bitCount += count
        while bitCount >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: accumulator))
            accumulator >>= 8
            bitCount -= 8
        }
    }

    mutating func finish() -> [UInt8] {
        if bitCount > 0 { bytes.append(UInt8(truncatingIfNeeded: accumulator)) }
        return bytes
    }
}

/// Reads the code-length bit stream from the frame, one byte at a time.
private struct LengthBitReader {
    private var accumulator: UInt32 = 0
    private var bitCount = 0

    mutating func read(_ count: Int, from cursor: inout HuffmanFrameCursor) throws(CodecError) -> UInt32 {
        while bitCount < count {
            accumulator |= UInt32(try cursor.readUInt8("code lengths")) << UInt32(bitCount)
            bitCount += 8
        }
        let value = accumulator & ((1 << UInt32(count)) - 1)
        accumulator >>= UInt32(count)
        bitCount -= count
        return value
    }
}
