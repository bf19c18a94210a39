import Formats
import Foundation
import TensorCore
import TestSupport
import Testing

/// docs/FORMAT.md §3: the checks a reader makes on the index before decoding any tensor. Each test writes a
/// valid file, rewrites one thing in its index and fixes the header's length and checksum, so that the index
/// itself is the only defect.
struct WPKIndexValidationTests {
    /// Writes the three-tensor file, applies `edit` to record `position`, and returns the error opening throws.
    private func openError(editing position: Int, _ edit: (inout [String: Any]) throws -> Void) throws -> FormatError? {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        try WPKSurgery.writeThreeTensorFile(at: path)
        try WPKSurgery.rewriteRecord(position, ofFileAt: path, edit)
        let error = #expect(throws: FormatError.self) { try WPKReader(path: path) }
        #expect(error?.path == path)
        return error
    }

    @Test func rewritingTheIndexWithoutAnEditKeepsTheFileValid() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        let payloads = try WPKSurgery.writeThreeTensorFile(at: path)
        try WPKSurgery.rewriteIndex(ofFileAt: path) { _ in }
        let reader = try WPKReader(path: path)
        for record in reader.index.tensors {
            #expect(try reader.verifiedStoredBytes(of: record) == payloads[record.name])
        }
    }

    @Test func readerRejectsDuplicateNames() throws {
        let error = try openError(editing: 2) { $0["name"] = "alpha" }
        #expect(error?.code == .duplicateTensorName)
        #expect(error?.tensorName == "alpha")
    }

    @Test(arguments: [1, 32, 63])
    func readerRejectsAMisalignedOffset(shift: Int) throws {
        var offset = 0
        let error = try openError(editing: 1) { record in
            offset = (record["offset"] as? Int ?? 0) + shift
            record["offset"] = offset
        }
        #expect(error?.code == .corruptIndex)
        #expect(error?.tensorName == "beta")
        #expect(error?.message.contains("offset \(offset) is not a multiple of 64") == true, "\(error?.message ?? "")")
    }

    @Test func readerRejectsOverlappingSegments() throws {
        // beta moved onto alpha's segment: aligned, but overlapping.
        let error = try openError(editing: 1) { $0["offset"] = 64 }
        #expect(error?.code == .corruptIndex)
        #expect(error?.tensorName == "beta")
        #expect(error?.message.contains("overlaps") == true, "\(error?.message ?? "")")
    }

    @Test func readerRejectsASegmentRunningIntoTheIndex() throws {
        let error = try openError(editing: 2) { record in
            record["offset"] = (record["offset"] as? Int ?? 0) + 64
        }
        #expect(error?.code == .corruptIndex)
        #expect(error?.tensorName == "gamma")
        #expect(error?.message.contains("data end") == true, "\(error?.message ?? "")")
    }

    @Test(arguments: [-1, Int.max])
    func readerRejectsAnImpossibleLength(length: Int) throws {
        let error = try openError(editing: 0) { $0["length"] = length }
        #expect(error?.code == .corruptIndex)
        #expect(error?.tensorName == "alpha")
    }

    @Test func readerRejectsALengthThatDisagreesWithTheShapeWhenThereAreNoStages() throws {
        // alpha is f32 × [3, 5]: 60 bytes.
        let error = try openError(editing: 0) { $0["length"] = 56 }
        #expect(error?.code == .corruptIndex)
        #expect(error?.tensorName == "alpha")
        #expect(
            error?.message.contains("56 bytes") == true && error?.message.contains("needs 60") == true,
            "\(error?.message ?? "")")
    }

    @Test func readerRejectsALengthThatDisagreesWithTheLastStage() throws {
        let error = try openError(editing: 0) { record in
            record["stages"] = [["name": "zstd", "params": ["level": "3"], "output_bytes": 59]]
        }
        #expect(error?.code == .corruptIndex)
        #expect(error?.tensorName == "alpha")
        #expect(
            error?.message.contains("'zstd' produced 59 bytes but 60 are stored") == true, "\(error?.message ?? "")")
    }

    @Test func readerRejectsANegativeStageByteCount() throws {
        let error = try openError(editing: 0) { record in
            record["stages"] = [
                ["name": "int8", "params": [:] as [String: String], "output_bytes": -4],
                ["name": "zstd", "params": [:] as [String: String], "output_bytes": 60],
            ]
        }
        #expect(error?.code == .corruptIndex)
        #expect(error?.message.contains("negative") == true, "\(error?.message ?? "")")
    }

    @Test func readerRejectsSegmentsOutOfOrder() throws {
        let error = try openError(editing: 0) { $0["offset"] = 128 }  // alpha now after beta's start
        #expect(error?.code == .corruptIndex)
    }

    @Test(arguments: ["abc", "00000000000000000", "zzzzzzzzzzzzzzzz"])
    func readerRejectsAMalformedChecksum(checksum: String) throws {
        let error = try openError(editing: 1) { $0["xxh3_64"] = checksum }
        #expect(error?.code == .corruptIndex)
        #expect(error?.tensorName == "beta")
    }

    @Test func readerRejectsAnUnknownDType() throws {
        let error = try openError(editing: 0) { $0["dtype"] = "f8" }
        #expect(error?.code == .invalidJSON)
        #expect(error?.message.contains("f8") == true, "\(error?.message ?? "")")
    }

    @Test func readerRejectsAShapeWhoseByteCountOverflows() throws {
        let error = try openError(editing: 0) { $0["shape"] = [Int.max / 2, 3] }
        #expect([.shapeOverflow, .invalidJSON].contains(error?.code))
    }

    @Test func aStaleSegmentChecksumIsReportedOnReadNotOnOpen() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        try WPKSurgery.writeThreeTensorFile(at: path)
        try WPKSurgery.rewriteRecord(1, ofFileAt: path) { $0["xxh3_64"] = "0123456789abcdef" }
        let reader = try WPKReader(path: path)
        let beta = try #require(reader.index.tensors.first { $0.name == "beta" })
        let error = #expect(throws: FormatError.self) { try reader.verifiedStoredBytes(of: beta) }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.tensorName == "beta")
        #expect(error?.message.contains("0123456789abcdef") == true)
        #expect(try reader.verifiedStoredBytes(of: reader.index.tensors[0]).count == 60)
    }
}
