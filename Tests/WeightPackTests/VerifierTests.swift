import Formats
import Foundation
import TensorCore
import TestSupport
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
        #expect(
            report.mismatchMessages == ["error: 'a' is in the reference only", "error: 'c' is in the candidate only"])
        let table = report.renderTable()
        #expect(!table.contains("error:"), "mismatches are not in the table: \(table)")
        #expect(table.hasSuffix("2 tensors missing from one file or of another shape"))
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
        #expect(report.mismatchMessages == ["error: shapes differ: w: [2, 3] vs [3, 2]"])
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
            lines.count > 2 && lines[2].hasPrefix("enco.laye.0.atte.quer.weight ") && lines[2].hasSuffix(" FAIL"),
            "failing rows come first: \(table)")
        #expect(table.contains("\n1 tensor below 300 dB"))
        #expect(report.mismatchMessages.isEmpty)
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

    @Test func reportJSONCarriesTheSummaryAgainstTheThreshold() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let reference = try write(try TestTensors.smallModel(), as: "model.safetensors", in: folder)
        let packed = folder.path("model.wpk")
        try Packer.pack(inputPath: reference, outputPath: packed, options: PackOptions())

        let failing = try Verifier.verify(referencePath: reference, candidatePath: packed, minimumSNR: 300)
        #expect(failing.minimumSNR == 300)
        let data = try JSONEncoder().encode(failing)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(summary["passed"] as? Bool == false)
        #expect(summary["min_snr_db"] as? Double == 300)
        #expect(summary["below_threshold"] as? [String] == ["encoder.layer.0.attention.query.weight"])
        #expect(summary["tensors"] as? Int == 4)
        #expect(summary["bit_exact"] as? Int == 3)
        #expect(summary["lossy"] as? Int == 1)
        #expect(summary["name_or_shape_mismatches"] as? Int == 0)
        #expect(try JSONDecoder().decode(VerificationReport.self, from: data) == failing)

        let unjudged = try Verifier.verify(referencePath: reference, candidatePath: packed)
        let plain = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(unjudged)) as? [String: Any])
        let plainSummary = try #require(plain["summary"] as? [String: Any])
        #expect(plainSummary["passed"] as? Bool == true)
        #expect(plainSummary["min_snr_db"] == nil || plainSummary["min_snr_db"] is NSNull)
        #expect(plainSummary["below_threshold"] as? [String] == [])
    }

    /// A comparison of four ones against four `value`s of `dtype`: e = value − 1, SNR = 10 · log10(1 / e²).
    private func comparison(_ name: String, _ value: Float, dtype: DType = .float32) throws -> TensorComparison {
        TensorComparison(
            reference: try TestTensors.floats(name, [4], [1, 1, 1, 1]),
            candidate: try TestTensors.floats(name, [4], [value, value, value, value], dtype: dtype))
    }

    /// bit-exact, exact in value (f32 → f64), and three lossy tensors of 0, 6.02 and 12.04 dB.
    private func mixedReport(minimumSNR: Double? = nil, missing: [String] = []) throws -> VerificationReport {
        VerificationReport(
            referencePath: "r.safetensors", candidatePath: "c.wpk",
            tensors: [
                try comparison("same", 1), try comparison("widened", 1, dtype: .float64),
                try comparison("half", 1.5), try comparison("quarter", 1.25), try comparison("double", 2),
            ],
            missingFromCandidate: missing, missingFromReference: [], shapeMismatches: [], minimumSNR: minimumSNR)
    }

    @Test func summaryCountsAMixedReport() throws {
        let report = try mixedReport()
        let summary = VerificationSummary(report, minimumSNR: 10)
        #expect(summary.tensors == 5)
        #expect(summary.bitExact == 1)
        #expect(summary.exactValues == 1)
        #expect(summary.lossy == 3)
        let sixDecibels = 10 * log10(4.0)
        #expect(abs((summary.snrMedianDecibels ?? .nan) - sixDecibels) < 1e-12, "median of 0, 6.02, 12.04")
        #expect(summary.snrMinimumDecibels == 0)
        #expect(summary.snrMinimumTensor == "double")
        #expect(summary.minimumSNRDecibels == 10)
        #expect(summary.belowThreshold == ["double", "half"], "lowest SNR first")
        #expect(summary.nameOrShapeMismatches == 0)
        #expect(!summary.passed)

        let lenient = VerificationSummary(report, minimumSNR: -5)
        #expect(lenient.belowThreshold.isEmpty)
        #expect(lenient.passed)
        #expect(VerificationSummary(report, minimumSNR: nil).passed)
        #expect(VerificationSummary(report, minimumSNR: nil).minimumSNRDecibels == nil)
        #expect(!VerificationSummary(try mixedReport(missing: ["gone"]), minimumSNR: -5).passed)
    }

    @Test func summaryMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() throws {
        let report = VerificationReport(
            referencePath: "r", candidatePath: "c",
            tensors: [try comparison("half", 1.5), try comparison("quarter", 1.25)],
            missingFromCandidate: [], missingFromReference: [], shapeMismatches: [])
        let summary = VerificationSummary(report, minimumSNR: nil)
        #expect(abs((summary.snrMedianDecibels ?? .nan) - 10 * log10(8.0)) < 1e-12, "(6.02 + 12.04) / 2 = 9.03 dB")
        #expect(summary.snrMinimumTensor == "half")
    }

    @Test func aNaNTensorIsLossyAndBelowAnyThreshold() throws {
        let report = VerificationReport(
            referencePath: "r", candidatePath: "c", tensors: [try comparison("nan", .nan), try comparison("same", 1)],
            missingFromCandidate: [], missingFromReference: [], shapeMismatches: [])
        let summary = VerificationSummary(report, minimumSNR: -100)
        #expect(summary.lossy == 1)
        #expect(summary.snrMedianDecibels == nil, "NaN has no place in the median")
        #expect(summary.belowThreshold == ["nan"])
        #expect(!summary.passed)
        let statuses = { (minimumSNR: Double?) in
            report.renderTable(minimumSNR: minimumSNR).split(separator: "\n").dropFirst(2).prefix(2)
                .map { String($0.split(separator: " ").last ?? "") }
        }
        #expect(statuses(nil) == ["NaN", "bit-exact"])
        #expect(statuses(-100) == ["FAIL", "bit-exact"])
    }

    @Test func summaryLinesAndTableOfAMixedReport() throws {
        let report = try mixedReport(missing: ["gone"])
        #expect(
            report.summaryLines(minimumSNR: 10) == """
                compared 5 tensors: 1 bit-exact, 1 exact in value, 3 lossy
                SNR of lossy tensors: median 6.02 dB, min 0.00 dB
                lowest: double
                2 tensors below 10 dB
                1 tensor missing from one file or of another shape
                """)
        #expect(report.mismatchMessages == ["error: 'gone' is in the reference only"])
        let lines = report.renderTable(minimumSNR: 10).split(separator: "\n").map(String.init)
        // Columns: tensor 29, max|err| 8, rmse 8, snr dB 7, cosine 8, status 9.
        #expect(lines[0] == "tensor                        max|err|     rmse  snr dB   cosine status")
        #expect(lines[1] == "----------------------------- -------- -------- ------- -------- ---------")
        #expect(
            Array(lines[2..<7]) == [
                "half                           5.00e-1  5.00e-1    6.02 1.000000 FAIL",
                "double                         1.00e+0  1.00e+0    0.00 1.000000 FAIL",
                "same                                 0        0     inf 1.000000 bit-exact",
                "widened                              0        0     inf 1.000000 exact",
                "quarter                        2.50e-1  2.50e-1   12.04 1.000000",
            ], "failing rows first, then the rest in report order")
        #expect(Array(lines[7...]) == report.summaryLines(minimumSNR: 10).split(separator: "\n").map(String.init))
        #expect(lines.allSatisfy { !$0.contains("error:") })
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
