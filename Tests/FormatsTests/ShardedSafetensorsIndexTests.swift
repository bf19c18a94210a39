import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// `ShardedSafetensorsIndex`: parsing `model.safetensors.index.json` and writing it as Hugging Face does.
struct ShardedSafetensorsIndexTests {
    private func parse(_ text: String) throws(FormatError) -> ShardedSafetensorsIndex {
        try ShardedSafetensorsIndex.parse(Array(text.utf8))
    }

    private func parseError(_ text: String) -> FormatError? {
        #expect(throws: FormatError.self) { try parse(text) }
    }

    // MARK: valid indexes

    @Test func parseKeepsTheWeightMapInFileOrderAndTheTotalSize() throws {
        let index = try parse(
            """
            {"metadata": {"total_size": 96, "format": "pt"},
             "weight_map": {"b.weight": "m-00002-of-00002.safetensors", "a.weight": "m-00001-of-00002.safetensors",
                            "a.bias": "m-00002-of-00002.safetensors"}}
            """)
        #expect(index.weightMap.map(\.name) == ["b.weight", "a.weight", "a.bias"])
        #expect(
            index.weightMap.map(\.file) == [
                "m-00002-of-00002.safetensors", "m-00001-of-00002.safetensors", "m-00002-of-00002.safetensors",
            ])
        #expect(index.totalSize == 96)
        #expect(index.shardFiles == ["m-00002-of-00002.safetensors", "m-00001-of-00002.safetensors"])
    }

    @Test func metadataIsOptional() throws {
        let index = try parse(#"{"weight_map": {"w": "a.safetensors"}}"#)
        #expect(index.totalSize == nil)
        #expect(index.weightMap.count == 1)
        #expect(try parse(#"{"metadata": {}, "weight_map": {}}"#).totalSize == nil)
        #expect(try parse(#"{"metadata": {"format": "pt"}, "weight_map": {}}"#).totalSize == nil)
    }

    @Test func anEmptyWeightMapHasNoShards() throws {
        let index = try parse(#"{"weight_map": {}}"#)
        #expect(index.weightMap.isEmpty)
        #expect(index.shardFiles.isEmpty)
    }

    @Test(arguments: [
        ("0", 0), ("1234", 1234), ("1234.0", 1234), ("1.5e3", 1500), ("9007199254740992", 9_007_199_254_740_992),
    ])
    func totalSizeAcceptsWholeNumbers(literal: String, expected: Int) throws {
        let index = try parse(#"{"metadata": {"total_size": \#(literal)}, "weight_map": {}}"#)
        #expect(index.totalSize == expected)
    }

    @Test(arguments: ["1.5", "\"1234\"", "null", "true", "[1]", "-1.0", "1e19"])
    func totalSizeRefusesAnythingButAWholeNumber(literal: String) {
        let error = parseError(#"{"metadata": {"total_size": \#(literal)}, "weight_map": {}}"#)
        #expect(error?.code == .invalidJSON)
        #expect(error?.message.contains("total_size") == true, "\(String(describing: error))")
    }

    /// A negative integer is not a byte count, as a negative decimal (`-1.0`) already is not.
    @Test func totalSizeRefusesANegativeInteger() {
        let error = parseError(#"{"metadata": {"total_size": -1}, "weight_map": {}}"#)
        #expect(error?.code == .invalidJSON)

    }

    // MARK: malformed indexes, one per error

    @Test(arguments: [#"{"metadata": {"total_size": 0}}"#, #"{"weight_map": []}"#, #"{"weight_map": null}"#])
    func aMissingOrNonObjectWeightMapIsInvalidJSON(text: String) {
        let error = parseError(text)
        #expect(error?.code == .invalidJSON)
        #expect(error?.message.contains("weight_map") == true)
    }

    @Test(arguments: ["[]", "\"index\"", "3"])
    func aRootThatIsNotAnObjectIsInvalidJSON(text: String) {
        #expect(parseError(text)?.code == .invalidJSON)
    }

    @Test func malformedJSONIsInvalidJSON() {
        #expect(parseError(#"{"weight_map": {"w": "a.safetensors""#)?.code == .invalidJSON)
        #expect(parseError("")?.code == .invalidJSON)
    }

    @Test(arguments: ["1", "null", "[\"a.safetensors\"]", "{}", "true"])
    func aNonStringShardNameIsInvalidJSONNamingTheTensor(value: String) {
        let error = parseError(#"{"weight_map": {"ok": "a.safetensors", "layer.w": \#(value)}}"#)
        #expect(error?.code == .invalidJSON)
        #expect(error?.tensorName == "layer.w")
    }

    @Test(arguments: [
        "../model.safetensors", "sub/model.safetensors", "/etc/passwd", "..", ".", "", "a\\\\b.safetensors",
    ])
    func aShardNameThatIsNotAPlainFileNameIsRefused(file: String) {
        let error = parseError(#"{"weight_map": {"w": "\#(file)"}}"#)
        #expect(error?.code == .invalidTensorInfo)
        #expect(error?.tensorName == "w")
    }

    @Test func aNameListedTwiceIsADuplicate() {
        let error = parseError(#"{"weight_map": {"w": "a.safetensors", "w": "b.safetensors"}}"#)
        #expect(error?.code == .duplicateTensorName)
    }

    @Test func anIndexOverSixtyFourMebibytesIsRefusedBeforeParsing() {
        let bytes = [UInt8](repeating: UInt8(ascii: " "), count: ShardedSafetensorsIndex.maximumIndexByteCount + 1)
        let error = #expect(throws: FormatError.self) { try ShardedSafetensorsIndex.parse(bytes) }
        #expect(error?.code == .headerTooLarge)
        #expect(error?.message.contains("\(ShardedSafetensorsIndex.maximumIndexByteCount + 1)") == true)
    }

    // MARK: writing

    /// The layout of `json.dumps(index, indent=2, sort_keys=True) + "\n"`, as transformers writes it.
    @Test func encodedIsTwoSpaceIndentedSortedJSONWithATrailingNewline() {
        let index = ShardedSafetensorsIndex(
            weightMap: [
                ("b.weight", "model-00002-of-00002.safetensors"), ("a.10", "model-00001-of-00002.safetensors"),
                ("a.2", "model-00001-of-00002.safetensors"), ("Z", "model-00002-of-00002.safetensors"),
            ], totalSize: 4096)
        let expected = """
            {
              "metadata": {
                "total_size": 4096
              },
              "weight_map": {
                "Z": "model-00002-of-00002.safetensors",
                "a.10": "model-00001-of-00002.safetensors",
                "a.2": "model-00001-of-00002.safetensors",
                "b.weight": "model-00002-of-00002.safetensors"
              }
            }

            """
        #expect(String(decoding: index.encoded(), as: UTF8.self) == expected)
    }

    @Test func encodedSortsByUTF8BytesAndEscapesJSONSpecials() throws {
        let index = ShardedSafetensorsIndex(
            weightMap: [("é", "s.safetensors"), ("q\"uote", "s.safetensors"), ("back\\slash", "s.safetensors")],
            totalSize: 0)
        let text = String(decoding: index.encoded(), as: UTF8.self)
        #expect(text.contains(#"    "back\\slash": "s.safetensors",\#n    "q\"uote": "s.safetensors",\#n    "é""#))
        let parsed = try ShardedSafetensorsIndex.parse([UInt8](index.encoded()))
        #expect(parsed.weightMap.map(\.name) == ["back\\slash", "q\"uote", "é"])
    }

    @Test func encodedThenParsedGivesBackTheIndexSortedByName() throws {
        var generator = SplitMix64(seed: 77)
        let weightMap = (0..<40).map { position in
            ("layer.\(generator.int(below: 1000)).w\(position)", "m-0000\(1 + generator.int(below: 3)).safetensors")
        }
        let index = ShardedSafetensorsIndex(weightMap: weightMap, totalSize: 123_456_789)
        let parsed = try ShardedSafetensorsIndex.parse([UInt8](index.encoded()))
        let sorted = weightMap.sorted { TensorNameKey($0.0) < TensorNameKey($1.0) }
        #expect(parsed == ShardedSafetensorsIndex(weightMap: sorted.map { ($0.0, $0.1) }, totalSize: 123_456_789))
    }

    @Test func encodedWithoutATotalSizeParsesBackWithoutOne() throws {
        let index = ShardedSafetensorsIndex(weightMap: [("w", "a.safetensors")], totalSize: nil)
        #expect(try ShardedSafetensorsIndex.parse([UInt8](index.encoded())) == index)
    }
}
