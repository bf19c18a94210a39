import Codecs
import TestSupport
import Testing

@Suite("ByteCodec round trips")
struct ByteCodecRoundTripTests {
    @Test(arguments: allCodecs)
    func emptyInputRoundTrips(codec: any ByteCodec) throws {
        let payload = try codec.encode(bytes: [])
        #expect(!payload.isEmpty, "even an empty frame has a header")
        #expect(try codec.decode(bytes: payload, decodedByteCount: 0) == [])
    }

    @Test(arguments: allCodecs)
    func oneByteRoundTrips(codec: any ByteCodec) throws {
        let payload = try codec.encode(bytes: [0xA7])
        #expect(try codec.decode(bytes: payload, decodedByteCount: 1) == [0xA7])
    }

    @Test(arguments: allCodecs)
    func allEqualMebibyteRoundTripsAndShrinksOverHundredfold(codec: any ByteCodec) throws {
        let input = [UInt8](repeating: 0x5A, count: 1 << 20)
        let payload = try codec.encode(bytes: input)
        #expect(payload.count < input.count / 100)
        #expect(try codec.decode(bytes: payload, decodedByteCount: input.count) == input)
    }

    @Test(arguments: allCodecs)
    func seededRandomInputsRoundTrip(codec: any ByteCodec) throws {
        var generator = SplitMix64(seed: 0x5EED)
        for seed in 0..<40 as Range<UInt64> {
            let count = Int(generator.next(upperBound: 70_000 as UInt64))
            let input =
                seed.isMultiple(of: 2)
                ? TestBytes.compressible(count: count, seed: seed) : TestBytes.random(count: count, seed: seed)
            let payload = try codec.encode(bytes: input)
            #expect(try codec.decode(bytes: payload, decodedByteCount: input.count) == input, "seed \(seed)")
        }
    }

    @Test(arguments: allCodecs, [65_535, 65_536, 65_537, 131_071, 131_072, 131_073, 4_194_305])
    func inputsAroundBlockBoundariesRoundTrip(codec: any ByteCodec, count: Int) throws {
        let input = TestBytes.compressible(count: count, seed: UInt64(count))
        let payload = try codec.encode(bytes: input)
        #expect(try codec.decode(bytes: payload, decodedByteCount: count) == input)
    }

    @Test(arguments: allCodecs)
    func incompressibleInputRoundTripsWithUnder1PercentExpansion(codec: any ByteCodec) throws {
        let input = TestBytes.random(count: (1 << 20) + 7, seed: 42)
        let payload = try codec.encode(bytes: input)
        #expect(payload.count <= input.count + input.count / 100)
        #expect(try codec.decode(bytes: payload, decodedByteCount: input.count) == input)
    }

    @Test(arguments: allCodecs)
    func encodingIsDeterministic(codec: any ByteCodec) throws {
        let input = TestBytes.compressible(count: 300_000, seed: 7)
        #expect(try codec.encode(bytes: input) == codec.encode(bytes: input))
    }

    @Test(arguments: allCodecs)
    func payloadDoesNotKeepWorstCaseCapacity(codec: any ByteCodec) throws {
        let payload = try codec.encode(bytes: [UInt8](repeating: 0, count: 1 << 20))
        #expect(payload.capacity < 64 * 1024)
    }
}
