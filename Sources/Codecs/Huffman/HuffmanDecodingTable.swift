/// Two-level lookup tables from the next code bits to a symbol.
///
/// `primary` is indexed by the next ``HuffmanCodec/lookupBits`` bits: an entry is `symbol << 8 | length`
/// for a code of at most that many bits, or `subtable << 8 | 0x40` for a longer one, whose `secondary`
/// entries (`symbol << 8 | length`) are indexed by the next `maximumCodeLength - lookupBits` bits.
/// A one-symbol alphabet maps every index to that symbol with length 0.
struct HuffmanDecodingTable {
    /// Marks a `primary` entry that points to a subtable.
    static let subtableFlag: UInt32 = 0x40
    /// Bits indexing a subtable.
    static let subtableBits = HuffmanCodec.maximumCodeLength - HuffmanCodec.lookupBits

    let primary: [UInt32]
    let secondary: [UInt32]
    /// Each symbol's value as a bit pattern (the escape's slot holds 0).
    let values: [UInt32]
    /// The escape symbol's index, or `UInt32.max` when there is none.
    let escapeSymbol: UInt32
    /// Raw bits after an escape code.
    let escapeBitCount: Int
    /// The most bits one symbol takes: longest code plus escape bits.
    let maximumSymbolBitCount: Int
    /// The fewest bits one symbol takes: the shortest code (0 only for a one-symbol alphabet), plus the escape
    /// bits when the escape is the only symbol.
    let minimumSymbolBitCount: Int

    /// Builds the tables for `alphabet`, whose lengths form a complete code (or a single length 0).
    init(alphabet: HuffmanAlphabet) {
        let lookupBits = HuffmanCodec.lookupBits
        let codes = HuffmanCodeLengths.reversedCanonicalCodes(
            lengths: alphabet.lengths, limit: HuffmanCodec.maximumCodeLength)
        var primary = [UInt32](repeating: 0, count: 1 << lookupBits)
        var secondary: [UInt32] = []
        var subtableOfPrefix = [Int](repeating: -1, count: 1 << lookupBits)
        for (symbol, lengthByte) in alphabet.lengths.enumerated() {
            let length = Int(lengthByte)
            let code = Int(codes[symbol])
            let entry = UInt32(symbol) << 8 | UInt32(length)
            if length <= lookupBits {
                for fill in 0..<(1 << (lookupBits - length)) { primary[code | fill << length] = entry }
            } else {
                let prefix = code & ((1 << lookupBits) - 1)
                if subtableOfPrefix[prefix] < 0 {
                    subtableOfPrefix[prefix] = secondary.count
                    primary[prefix] = UInt32(secondary.count) << 8 | Self.subtableFlag
                    secondary.append(contentsOf: repeatElement(0, count: 1 << Self.subtableBits))
                }
                let rest = code >> lookupBits
                let restBits = length - lookupBits
                for fill in 0..<(1 << (Self.subtableBits - restBits)) {
                    secondary[subtableOfPrefix[prefix] + (rest | fill << restBits)] = entry
                }
            }
        }
        self.primary = primary
        self.secondary = secondary.isEmpty ? [0] : secondary
        values = alphabet.values.map { UInt32(bitPattern: $0) } + (alphabet.escapeIndex == nil ? [] : [0])
        escapeSymbol = alphabet.escapeIndex.map { UInt32($0) } ?? UInt32.max
        escapeBitCount = alphabet.escapeBitCount ?? 0
        maximumSymbolBitCount = alphabet.maximumSymbolBitCount
        minimumSymbolBitCount = alphabet.minimumSymbolBitCount
    }
}

/// Reads bits least significant first, refilling 8 bytes at a time, from one chunk.
///
/// Bytes past the chunk read as zeros; ``consumedBitCount`` tells whether a decode ran past the end.
struct HuffmanBitReader {
    private let base: UnsafeRawPointer
    private let byteCount: Int
    /// Offset of the next byte to load.
    private var position = 0
    /// Loaded bits not yet consumed, lowest first.
    private(set) var buffer: UInt64 = 0
    /// Valid bits in `buffer`: at least 56 after `refill`.
    private var bitCount: UInt64 = 0

    init(base: UnsafeRawPointer, byteCount: Int) {
        self.base = base
        self.byteCount = byteCount
    }

    /// Bits consumed from the chunk's start (may exceed its size after decoding corrupt data).
    var consumedBitCount: Int { position &* 8 &- Int(bitCount) }

    /// Tops `buffer` up to at least 56 valid bits (Giesen's "variant 4").
    @inline(__always)
    mutating func refill() {
        let word: UInt64
        if position &+ 8 <= byteCount {
            word = base.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian
        } else {
            var tail: UInt64 = 0
            var offset = position
            while offset < byteCount && offset < position &+ 8 {
                tail |= UInt64(base.load(fromByteOffset: offset, as: UInt8.self)) &<< UInt64((offset &- position) &* 8)
                offset &+= 1
            }
            word = tail
        }
        buffer |= word &<< bitCount
        position &+= Int((63 &- bitCount) &>> 3)
        bitCount |= 56
    }

    /// Drops `count` bits (at most the valid ones).
    @inline(__always)
    mutating func consume(_ count: UInt64) {
        buffer &>>= count
        bitCount &-= count
    }
}
