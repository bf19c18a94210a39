import Formats
import Foundation
import TensorCore
import Testing
import WeightPack

struct VerifierTests {
    private func write(_ tensors: [Tensor], as name: String, in folder: TemporaryDirectory) throws -> String {
        let path = folder.path(name)
        try TestTensors.writeSafetensors(tensors, to: path)
        return path
    }

    @Test func identicalFilesAreBitExact() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try TestTensors.smallModel()
        let reference = try write(tensors, as: "a.safetensors", in: folder)
        let candidate = try write(tensors, as: "b.safetensors", in: folder)
        let report = try Verifier.verify(referencePath: reference, candidatePath: candidate)

        #expect(report.namesAndShapesMatch)
        #expect(report.tensors.map(\.name) == (try TestTensors.readSafetensors(reference)).names)
        for row in report.tensors {
            #expect(row.bitExact, "\(row.name)")
            #expect(row.snrDecibels == .infinity && row.maxAbsError == 0 && row.rmse == 0)
            #expect(row.cosine == 1 && row.relativeFrobeniusError == 0)
        }
        #expect(report.tensors(belowSNR: 300).isEmpty)
    }

    @Test func aKnownPerturbationGivesTheAnalyticSNR() throws {
        // candidate = reference × 1.01: e = 0.01 · ref, so SNR = 10 · log10(1 / 0.01²) = 40 dB, cosine 1,
        // relative Frobenius error 0.01, max |e| = 0.01 · max |ref|.
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let reference = try TestTensors.randomFloat64("w", [24, 16], seed: 12)
        let scaled = reference.float64Values().map { $0 * 1.01 }
        var writer = ByteWriter()
        for value in scaled { writer.writeIntegerLE(value.bitPattern) }
        let candidate = try Tensor(name: "w", dtype: .float64, shape: [24, 16], data: Data(writer.bytes))
        let report = try Verifier.verify(
            referencePath: try write([reference], as: "ref.safetensors", in: folder),
            candidatePath: try write([candidate], as: "cand.safetensors", in: folder))

        let row = try #require(report.tensors.first)
        #expect(!row.bitExact)
        #expect(row.elementCount == 384)
        #expect(abs(row.snrDecibels - 40) < 1e-9, "\(row.snrDecibels)")
        #expect(abs(row.cosine - 1) < 1e-12)
        #expect(abs(row.relativeFrobeniusError - 0.01) < 1e-12)
        let maxMagnitude = reference.float64Values().map(abs).max()!
        #expect(abs(row.maxAbsError - 0.01 * maxMagnitude) < 1e-12)
        #expect(report.tensors(belowSNR: 40.5).map(\.name) == ["w"])
        #expect(report.tensors(belowSNR: 39.5).isEmpty)
    }

    @Test func tensorsMissingFromEitherFileAreReported() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let a = try TestTensors.floats("a", [2], [1, 2])
        let b = try TestTensors.floats("b", [2], [3, 4])
        let c = try TestTensors.floats("c", [2], [5, 6])
        let report = try Verifier.verify(
            referencePath: try write([a, b], as: "ref.safetensors", in: folder),
            candidatePath: try write([b, c], as: "cand.safetensors", in: folder))
        #expect(report.missingFromCandidate == ["a"])
        #expect(report.missingFromReference == ["c"])
        #expect(report.tensors.map(\.name) == ["b"])
        #expect(!report.namesAndShapesMatch)
        let table = report.renderTable()
        #expect(table.contains("error: 'a' is in the reference only"))
        #expect(table.contains("error: 'c' is in the candidate only"))
    }

    @Test func shapeMismatchesAreReportedAndNotCompared() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let report = try Verifier.verify(
            referencePath: try write(
                [try TestTensors.floats("w", [2, 3], Array(repeating: 1, count: 6))], as: "r.safetensors", in: folder),
            candidatePath: try write(
                [try TestTensors.floats("w", [3, 2], Array(repeating: 1, count: 6))], as: "c.safetensors", in: folder))
        #expect(report.shapeMismatches == ["w: [2, 3] vs [3, 2]"])
        #expect(report.tensors.isEmpty)
        #expect(!report.namesAndShapesMatch)
        #expect(report.summaryLines(minimumSNR: nil).contains("1 tensor missing from one file or of another shape"))
        #expect(!VerificationSummary(report, minimumSNR: nil).passed)
    }

    @Test func aPackedFileVerifiesAgainstItsSource() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try TestTensors.smallModel()
        let reference = try write(tensors, as: "model.safetensors", in: folder)
        let packed = folder.path("model.wpk")
        try Packer.pack(inputPath: reference, outputPath: packed, options: PackOptions())
        let report = try Verifier.verify(referencePath: reference, candidatePath: packed)

        #expect(report.namesAndShapesMatch)
        let rows = Dictionary(uniqueKeysWithValues: report.tensors.map { ($0.name, $0) })
        let weight = try #require(rows["encoder.layer.0.attention.query.weight"])
        #expect(!weight.bitExact)
        // Uniform weights, uniform rounding error: SNR ≈ 10 · log10(E[w²] / E[e²]) = 10 · log10(4 · 127²) ≈ 48 dB.
        #expect(
            weight.snrDecibels.isFinite && weight.snrDecibels > 40 && weight.snrDecibels < 56, "\(weight.snrDecibels)")
        #expect(weight.cosine > 0.9999)
        for name in ["encoder.layer.0.attention.query.bias", "embeddings.position_ids", "attention.mask"] {
            #expect(rows[name]?.bitExact == true, "\(name)")
        }
        #expect(report.tensors(belowSNR: 300).map(\.name) == ["encoder.layer.0.attention.query.weight"])
        let table = report.renderTable(minimumSNR: 300)
        let lines = table.split(separator: "\n")
        #expect(
            lines.count > 2 && lines[2].hasPrefix("encoder.layer.0.") && lines[2].hasSuffix("FAIL"),
            "failing rows come first")
        #expect(table.contains("1 below 300.0 dB"))
    }

    @Test func reportJSONWritesInfiniteSNRAsNull() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = [try TestTensors.floats("a", [2], [1, 2])]
        let report = try Verifier.verify(
            referencePath: try write(tensors, as: "r.safetensors", in: folder),
            candidatePath: try write(tensors, as: "c.safetensors", in: folder))
        let data = try JSONEncoder().encode(report)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["schema"] as? String == "weightpack.verify/1")
        #expect(json["reference"] as? String == folder.path("r.safetensors"))
        let row = try #require((json["tensors"] as? [[String: Any]])?.first)
        #expect(row["snr_db"] is NSNull)
        #expect(row["bit_exact"] as? Bool == true)
        #expect(try JSONDecoder().decode(VerificationReport.self, from: data) == report)
    }

    @Test func comparisonOfTwoZeroTensorsHasCosineOne() throws {
        let zeros = try TestTensors.floats("z", [3], [0, 0, 0])
        let comparison = TensorComparison(reference: zeros, candidate: zeros)
        #expect(comparison.cosine == 1)
        #expect(comparison.relativeFrobeniusError == 0)
        let ones = try TestTensors.floats("z", [3], [1, 1, 1])
        let fromZero = TensorComparison(reference: zeros, candidate: ones)
        #expect(fromZero.relativeFrobeniusError == .infinity)
        #expect(fromZero.snrDecibels == -.infinity)
        #expect(fromZero.rmse == 1)
    }
}
