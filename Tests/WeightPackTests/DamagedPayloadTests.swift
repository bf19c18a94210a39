import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// Payloads damaged behind a valid checksum (docs/FORMAT.md §4, §5.1–5.2): each is an error naming the tensor,
/// never a trap, and the file's other tensors stay readable.
struct DamagedPayloadTests {
    static let weightName = "layer.0.weight"

    /// A `[16, 16]` weight whose scales and codes both compress (so `zstd` codes both sections), another weight,
    /// and a bias.
    private static func tensors() throws -> [Tensor] {
        [
            try TestTensors.floats(weightName, [16, 16], (0..<256).map { Float($0 % 8) - 3.5 }),
            try TestTensors.random("layer.1.weight", [8, 32], seed: 5),
            try TestTensors.floats("layer.0.bias", [64], (0..<64).map { Float($0 % 4) }),
        ]
    }

    /// Packs ``tensors()`` with `recipe` and returns the `.wpk` path and the weight's record position.
    private func packedFile(in folder: TemporaryDirectory, recipe: String = "quant:int8|zstd") throws -> String {
        let input = folder.path("model.safetensors")
        let output = folder.path("model.wpk")
        try TestTensors.writeSafetensors(try Self.tensors(), to: input)
        try Packer.pack(inputPath: input, outputPath: output, options: PackOptions(recipe: try Recipe.parse(recipe)))
        return output
    }

    private func position(of name: String, in path: String) throws -> Int {
        try #require(try WPKSurgery.records(ofFileAt: path).firstIndex { $0["name"] as? String == name })
    }

    /// Decodes `name` from `path`, expecting an error; checks it names the tensor and the file, that every other
    /// tensor still decodes, and that `unpack` fails without leaving an output file.
    private func expectDamaged(_ name: String, in path: String, folder: TemporaryDirectory) throws -> WeightPackError? {
        let source = try WPKSource(path: path)
        let info = try #require(source.tensorInfos.first { $0.name == name })
        let error = #expect(throws: WeightPackError.self) { try source.decodedTensor(info) }
        #expect(error?.tensorName == name)
        #expect(error?.path == path)
        #expect(error?.description.contains("tensor '\(name)'") == true, "\(error?.description ?? "")")
        for other in source.tensorInfos where other.name != name {
            #expect(try source.decodedTensor(other).shape == other.shape, "\(other.name) still decodes")
        }
        let before = try folder.contents()
        #expect(throws: WeightPackError.self) {
            try Unpacker.unpack(inputPath: path, outputPath: folder.path("out.safetensors"))
        }
        #expect(try folder.contents() == before, "unpack leaves no output")
        return error
    }

    @Test func theWeightsSectionsAreZstdCodedBeforeAnyDamage() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder)
        var tags: [UInt8] = []
        try WPKSurgery.rewriteSegment(try position(of: Self.weightName, in: path), ofFileAt: path) { payload in
            #expect(Array(payload[0..<4]) == [2, 0, 0, 0], "scales and codes")
            tags = (0..<2).map { payload[WPKSurgery.sectionOffset($0, inPayload: payload)] }
        }
        #expect(tags == [2, 2], "both sections are zstd frames")
        let source = try WPKSource(path: path)
        let weight = try source.decodedTensor(try #require(source.tensorInfos.first { $0.name == Self.weightName }))
        #expect(weight.shape == [16, 16], "rewriting a segment unchanged keeps the file valid")
    }

    @Test(arguments: [UInt32(1), 3, 0, 65, UInt32.max])
    func aSectionCountOtherThanTheChainsIsRefused(count: UInt32) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder)
        try WPKSurgery.rewriteSegment(try position(of: Self.weightName, in: path), ofFileAt: path) { payload in
            for index in 0..<4 { payload[index] = UInt8(truncatingIfNeeded: count >> (8 * index)) }
        }
        let error = try expectDamaged(Self.weightName, in: path, folder: folder)
        #expect(error?.originalCode == "corruptIndex")
        #expect(error?.message == "payload holds \(count) sections; its stage chain produces 2")
    }

    @Test func sectionLengthsThatOverrunThePayloadAreRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder)
        try WPKSurgery.rewriteSegment(try position(of: Self.weightName, in: path), ofFileAt: path) { payload in
            WPKSurgery.setUInt64(UInt64.max, in: &payload, at: 4 + 8)
        }
        let error = try expectDamaged(Self.weightName, in: path, folder: folder)
        #expect(error?.originalCode == "corruptIndex")
        #expect(
            error?.message.hasPrefix("section 1 claims \(UInt64.max) bytes; only ") == true, "\(error?.message ?? "")")
    }

    @Test(arguments: [UInt8(4), 9, 255])
    func anUnknownCoderTagIsRefused(tag: UInt8) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder)
        try WPKSurgery.rewriteSegment(try position(of: Self.weightName, in: path), ofFileAt: path) { payload in
            payload[WPKSurgery.sectionOffset(1, inPayload: payload)] = tag
        }
        let error = try expectDamaged(Self.weightName, in: path, folder: folder)
        #expect(error?.code == .invalidStageParameters)
        #expect(error?.message == "section 1 names coder \(tag); known coders are 0 (raw) to 3 (lz4)")
    }

    /// The bound for a bytes section: 4 bytes per element of the tensor plus 64 KiB (§4).
    static let bound = 256 * 4 + 65_536

    @Test(arguments: [UInt64(bound + 1), 1 << 40, UInt64.max])
    func aDeclaredLengthAboveTheBoundIsRefusedBeforeDecoding(declared: UInt64) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder)
        try WPKSurgery.rewriteSegment(try position(of: Self.weightName, in: path), ofFileAt: path) { payload in
            WPKSurgery.setUInt64(declared, in: &payload, at: WPKSurgery.sectionOffset(1, inPayload: payload) + 1)
        }
        let error = try expectDamaged(Self.weightName, in: path, folder: folder)
        #expect(error?.code == .invalidStageParameters)
        #expect(
            error?.message
                == "section 1 declares \(declared) decoded bytes; its stage chain allows at most \(Self.bound)")
    }

    @Test(arguments: [UInt64(255), 257, UInt64(bound)])
    func aDeclaredLengthTheCodesDoNotHaveIsRefused(declared: UInt64) throws {
        // Within the bound, but not the 256 bytes the zstd frame holds, or not what `quant` needs.
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder)
        try WPKSurgery.rewriteSegment(try position(of: Self.weightName, in: path), ofFileAt: path) { payload in
            WPKSurgery.setUInt64(declared, in: &payload, at: WPKSurgery.sectionOffset(1, inPayload: payload) + 1)
        }
        let error = try expectDamaged(Self.weightName, in: path, folder: folder)
        #expect(error?.originalCode == "sizeMismatch", "\(error?.description ?? "")")
    }

    @Test(arguments: [UInt64(255), 257, 1 << 40])
    func anElementsSectionMustDeclareItsExactSize(declared: UInt64) throws {
        // With no value stage the one section holds the elements: 64 Float32, exactly 256 bytes.
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder, recipe: "quant:int8|zstd")
        let bias = try position(of: "layer.0.bias", in: path)
        #expect(try WPKSurgery.records(ofFileAt: path)[bias]["stages"] as? [[String: Any]] != nil)
        var tag: UInt8 = 0
        try WPKSurgery.rewriteSegment(bias, ofFileAt: path) { payload in
            tag = payload[WPKSurgery.sectionOffset(0, inPayload: payload)]
            WPKSurgery.setUInt64(declared, in: &payload, at: WPKSurgery.sectionOffset(0, inPayload: payload) + 1)
        }
        #expect(tag == 2, "the bias is zstd-coded")
        let error = try expectDamaged("layer.0.bias", in: path, folder: folder)
        #expect(error?.code == .invalidStageParameters)
        #expect(error?.message == "section 0 declares \(declared) decoded bytes; its stage chain allows exactly 256")
    }

    /// Every byte of the weight's payload flipped in turn: each decode returns or throws, and never traps.
    @Test func flippingAnyPayloadByteNeverTraps() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder, recipe: "quant:int4:asym:group=8|auto")
        let weight = try position(of: Self.weightName, in: path)
        let length = try #require(try WPKSurgery.records(ofFileAt: path)[weight]["length"] as? Int)
        let pristine = try Data(contentsOf: URL(fileURLWithPath: path))
        var failures = 0
        for index in 0..<length {
            try pristine.write(to: URL(fileURLWithPath: path))
            try WPKSurgery.rewriteSegment(weight, ofFileAt: path) { $0[index] ^= 0x5A }
            let source = try WPKSource(path: path)
            let info = try #require(source.tensorInfos.first { $0.name == Self.weightName })
            do { _ = try source.decodedTensor(info) } catch { failures += 1 }
        }
        #expect(failures > 0, "damage is detected")
    }
}
