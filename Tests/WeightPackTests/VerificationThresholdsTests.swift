import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

struct VerificationThresholdsTests {
    /// Reference `[1, 2, 3, 4]` against `[1, 2, 3, 4.5]`: e = (0, 0, 0, 0.5), so max |e| = 0.5,
    /// SNR = 10 · log10(30 / 0.25) = 20.79 dB, cosine = 32 / √(30 · 34.25) = 0.998295.
    static func lossy(_ name: String = "w") throws -> TensorComparison {
        TensorComparison(
            reference: try TestTensors.floats(name, [4], [1, 2, 3, 4]),
            candidate: try TestTensors.floats(name, [4], [1, 2, 3, 4.5]))
    }

    static func same(_ name: String = "same") throws -> TensorComparison {
        let tensor = try TestTensors.floats(name, [4], [1, 2, 3, 4])
        return TensorComparison(reference: tensor, candidate: tensor)
    }

    /// The same values at f32 and f64: equal in value, not in bytes.
    static func widened(_ name: String = "widened") throws -> TensorComparison {
        TensorComparison(
            reference: try TestTensors.floats(name, [4], [1, 2, 3, 4]),
            candidate: try TestTensors.floats(name, [4], [1, 2, 3, 4], dtype: .float64))
    }

    static func report(_ rows: [TensorComparison], thresholds: VerificationThresholds) -> VerificationReport {
        VerificationReport(
            referencePath: "r.safetensors", candidatePath: "c.safetensors", tensors: rows, missingFromCandidate: [],
            missingFromReference: [], shapeMismatches: [], thresholds: thresholds)
    }

    // MARK: Thresholds

    @Test func noLimitIsSetByDefault() throws {
        let thresholds = VerificationThresholds()
        #expect(thresholds.isEmpty)
        #expect(thresholds.failures(of: try Self.lossy()).isEmpty)
        #expect(!VerificationThresholds(minimumSNR: 0).isEmpty)
        #expect(!VerificationThresholds(maximumAbsError: 1).isEmpty)
        #expect(!VerificationThresholds(minimumCosine: 0).isEmpty)
        #expect(!VerificationThresholds(exact: true).isEmpty)
    }

    @Test func eachBrokenLimitGivesOneReasonInAFixedOrder() throws {
        let row = try Self.lossy()
        #expect(abs(row.snrDecibels - 10 * log10(120.0)) < 1e-12)
        #expect(row.maxAbsError == 0.5)
        let cosine = HumanFormat.fixed(row.cosine, digits: 6)
        #expect(cosine == "0.998295")
        #expect(VerificationThresholds(minimumSNR: 30).failures(of: row) == ["SNR 20.79 dB < 30"])
        #expect(VerificationThresholds(maximumAbsError: 0.25).failures(of: row) == ["max |err| 0.5 > 0.25"])
        #expect(VerificationThresholds(minimumCosine: 0.9999).failures(of: row) == ["cosine 0.998295 < 0.9999"])
        #expect(
            VerificationThresholds(exact: true).failures(of: row) == ["not bit-exact: element 3 is 4.5, reference 4.0"])
        let all = VerificationThresholds(minimumSNR: 30, maximumAbsError: 0.25, minimumCosine: 0.9999, exact: true)
        #expect(
            all.failures(of: row) == [
                "SNR 20.79 dB < 30", "max |err| 0.5 > 0.25", "cosine 0.998295 < 0.9999",
                "not bit-exact: element 3 is 4.5, reference 4.0",
            ])
    }

    @Test func limitsAreInclusive() throws {
        let row = try Self.lossy()
        let limits = VerificationThresholds(
            minimumSNR: row.snrDecibels, maximumAbsError: row.maxAbsError, minimumCosine: row.cosine)
        #expect(limits.failures(of: row).isEmpty)
    }

    @Test func aBitExactTensorPassesTheStrictestLimits() throws {
        let strictest = VerificationThresholds(minimumSNR: 1e12, maximumAbsError: 0, minimumCosine: 1, exact: true)
        #expect(strictest.failures(of: try Self.same()).isEmpty)
    }

    @Test func aLosslessDTypeChangePassesEveryLimitButExact() throws {
        let row = try Self.widened()
        #expect(!row.bitExact && row.snrDecibels == .infinity && row.maxAbsError == 0)
        #expect(row.firstDifference == nil)
        #expect(
            VerificationThresholds(minimumSNR: 1e12, maximumAbsError: 0, minimumCosine: 1).failures(of: row).isEmpty)
        #expect(VerificationThresholds(exact: true).failures(of: row) == ["not bit-exact (dtypes differ)"])
    }

    @Test func aNaNCandidateFailsTheSNRAndCosineLimits() throws {
        let row = TensorComparison(
            reference: try TestTensors.floats("n", [3], [1, 2, 3]),
            candidate: try TestTensors.floats("n", [3], [1, .nan, 3]))
        #expect(row.snrDecibels.isNaN && row.cosine.isNaN)
        #expect(VerificationThresholds(minimumSNR: -1000).failures(of: row) == ["SNR nan dB < -1000"])
        #expect(VerificationThresholds(minimumCosine: -1).failures(of: row) == ["cosine nan < -1"])
    }

    @Test func aNaNCandidateFailsTheMaxAbsLimit() throws {
        let row = TensorComparison(
            reference: try TestTensors.floats("n", [3], [1, 2, 3]),
            candidate: try TestTensors.floats("n", [3], [1, .nan, 3]))
        #expect(row.maxAbsError.isNaN, "\(row.maxAbsError)")
        #expect(!VerificationThresholds(maximumAbsError: 1).failures(of: row).isEmpty)

    }

    // MARK: First difference

    @Test func aBitExactTensorHasNoFirstDifference() throws {
        #expect(try Self.same().firstDifference == nil)
    }

    @Test(arguments: [0, 1, 65_535, 65_536, 70_000, 99_999])
    func firstDifferenceIsTheLowestDifferingIndexAcrossChunks(index: Int) throws {
        var generator = SplitMix64(seed: UInt64(index))
        let values = generator.floats(count: 100_000)
        var changed = values
        changed[index] += 1
        if index + 3 < changed.count { changed[index + 3] -= 1 }
        let row = TensorComparison(
            reference: try TestTensors.floats("w", [100_000], values),
            candidate: try TestTensors.floats("w", [100_000], changed))
        let difference = try #require(row.firstDifference)
        #expect(difference.index == index)
        #expect(difference.reference == Double(values[index]))
        #expect(difference.candidate == Double(changed[index]))
    }

    @Test func negativeZeroDiffersFromZeroButIsExactInValue() throws {
        let row = TensorComparison(
            reference: try TestTensors.floats("z", [2], [1, 0]), candidate: try TestTensors.floats("z", [2], [1, -0.0]))
        #expect(!row.bitExact && row.snrDecibels == .infinity)
        #expect(row.firstDifference == ElementDifference(index: 1, reference: 0, candidate: -0.0))
    }

    @Test func aValueChangeAcrossDTypesIsFound() throws {
        let row = TensorComparison(
            reference: try TestTensors.floats("h", [3], [1, 2, 3], dtype: .float16),
            candidate: try TestTensors.floats("h", [3], [1, 2, 3.5]))
        #expect(row.firstDifference == ElementDifference(index: 2, reference: 3, candidate: 3.5))
    }

    @Test func int64ValuesBeyondTwoToThe53AreComparedExactly() throws {
        let big = Int64(1) << 53
        let row = TensorComparison(
            reference: try TestTensors.integers("ids", [2], [5, big + 1], dtype: .int64),
            candidate: try TestTensors.integers("ids", [2], [5, big], dtype: .int64))
        #expect(!row.bitExact)
        #expect(row.firstDifference?.index == 1)
        #expect(row.maxAbsError == 1)
        #expect(!VerificationThresholds(exact: true).failures(of: row).contains("not bit-exact (dtypes differ)"))
    }

    @Test func firstDifferenceJSONWritesNonFiniteValuesAsStrings() throws {
        let row = TensorComparison(
            reference: try TestTensors.floats("f", [4], [1, 2, 3, 4]),
            candidate: try TestTensors.floats("f", [4], [1, .infinity, -.infinity, .nan]))
        #expect(row.firstDifference?.index == 1)
        let data = try JSONEncoder().encode(row)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let difference = try #require(json["first_difference"] as? [String: Any])
        #expect(difference["index"] as? Int == 1)
        #expect(difference["reference"] as? Double == 2)
        #expect(difference["candidate"] as? String == "inf")
        for (value, text) in [(Double.nan, "nan"), (.infinity, "inf"), (-.infinity, "-inf")] {
            let encoded = try JSONEncoder().encode(ElementDifference(index: 7, reference: value, candidate: 0.5))
            let object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
            #expect(object["reference"] as? String == text)
            #expect(object["candidate"] as? Double == 0.5)
            let decoded = try JSONDecoder().decode(ElementDifference.self, from: encoded)
            #expect(decoded.index == 7 && decoded.candidate == 0.5)
            #expect(decoded.reference.isNaN == value.isNaN && (value.isNaN || decoded.reference == value))
        }
    }

    @Test func firstDifferenceIsAbsentFromTheJSONOfEqualTensors() throws {
        for row in [try Self.same(), try Self.widened()] {
            let json = try #require(
                try JSONSerialization.jsonObject(with: JSONEncoder().encode(row)) as? [String: Any])
            #expect(json["first_difference"] == nil, "\(row.name)")
        }
        let lossy = try Self.lossy()
        let data = try JSONEncoder().encode(lossy)
        #expect(try JSONDecoder().decode(TensorComparison.self, from: data) == lossy)
    }

    // MARK: Summary

    @Test func summaryListsFailingTensorsInReportOrderAndFailsOnAnyLimit() throws {
        let thresholds = VerificationThresholds(maximumAbsError: 0.25, exact: true)
        let report = Self.report(
            [try Self.lossy("b"), try Self.same(), try Self.widened(), try Self.lossy("a")], thresholds: thresholds)
        let summary = VerificationSummary(report, thresholds: thresholds)
        #expect(summary.thresholds == thresholds)
        #expect(summary.failing.map(\.name) == ["b", "widened", "a"])
        #expect(
            summary.failing.first?.reasons == [
                "max |err| 0.5 > 0.25", "not bit-exact: element 3 is 4.5, reference 4.0",
            ])
        #expect(summary.failing[1].reasons == ["not bit-exact (dtypes differ)"])
        #expect(summary.belowThreshold.isEmpty, "no SNR limit")
        #expect(summary.minimumSNRDecibels == nil)
        #expect(!summary.passed)
        #expect(VerificationSummary(report, thresholds: VerificationThresholds(maximumAbsError: 0.5)).passed)
    }

    @Test func summaryJSONCarriesTheThresholdsAndTheFailingTensors() throws {
        let thresholds = VerificationThresholds(maximumAbsError: 0.25, minimumCosine: 0.5, exact: true)
        let report = Self.report([try Self.same(), try Self.lossy()], thresholds: thresholds)
        let data = try JSONEncoder().encode(report)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let summary = try #require(json["summary"] as? [String: Any])
        let limits = try #require(summary["thresholds"] as? [String: Any])
        #expect(limits["exact"] as? Bool == true)
        #expect(limits["max_abs"] as? Double == 0.25)
        #expect(limits["min_cosine"] as? Double == 0.5)
        #expect(limits["min_snr_db"] is NSNull, "unset limits are written as null")
        let failing = try #require(summary["failing"] as? [[String: Any]])
        #expect(failing.count == 1)
        #expect(failing.first?["name"] as? String == "w")
        #expect(
            failing.first?["reasons"] as? [String] == [
                "max |err| 0.5 > 0.25", "not bit-exact: element 3 is 4.5, reference 4.0",
            ])
        #expect(summary["passed"] as? Bool == false)
        let decoded = try JSONDecoder().decode(VerificationReport.self, from: data)
        #expect(decoded.thresholds == thresholds)
        #expect(decoded == report)
    }

    // MARK: Table

    @Test func tableShowsTheChosenMetricsInOrder() throws {
        let report = Self.report([try Self.same(), try Self.lossy()], thresholds: .init())
        let table = report.renderTable(thresholds: .init(), metrics: [.relativeFrobenius, .snr])
        let lines = table.split(separator: "\n").map(String.init)
        // Columns: tensor 29 (left), rel.frob 8, snr dB 7, status 9 (left).
        #expect(lines[0] == "tensor                        rel.frob  snr dB status")
        #expect(lines[1] == "----------------------------- -------- ------- ---------")
        #expect(lines[2] == "same                                 0     inf bit-exact")
        #expect(lines[3] == "w                              9.13e-2   20.79")
        let defaults = report.renderTable(thresholds: .init())
        #expect(defaults.hasPrefix("tensor                        max|err|     rmse  snr dB   cosine status\n"))
        #expect(defaults == report.renderTable(thresholds: .init(), metrics: VerificationMetric.defaults))
        #expect(VerificationMetric.defaults == [.maxAbs, .rmse, .snr, .cosine])
        #expect(VerificationMetric.allCases.map(\.rawValue) == ["max-abs", "rmse", "snr", "cosine", "rel-frob"])
        #expect(report.renderTable(minimumSNR: 30) == report.renderTable(thresholds: .init(minimumSNR: 30)))
    }

    @Test func tablePutsTensorsFailingAnyLimitFirst() throws {
        let report = Self.report([try Self.same(), try Self.widened(), try Self.lossy()], thresholds: .init())
        let table = report.renderTable(thresholds: VerificationThresholds(maximumAbsError: 0.25))
        let rows = table.split(separator: "\n").dropFirst(2).prefix(3).map(String.init)
        #expect(rows[0].hasPrefix("w ") && rows[0].hasSuffix(" FAIL"), "\(table)")
        #expect(rows[1].hasPrefix("same ") && rows[1].hasSuffix(" bit-exact"))
        #expect(rows[2].hasPrefix("widened ") && rows[2].hasSuffix(" exact"))
    }

    @Test func summaryLinesReportEachLimitAndTheFirstDifferences() throws {
        let thresholds = VerificationThresholds(
            minimumSNR: 30, maximumAbsError: 0.25, minimumCosine: 0.9999, exact: true)
        let report = Self.report([try Self.same(), try Self.widened(), try Self.lossy()], thresholds: thresholds)
        #expect(
            report.summaryLines(thresholds: thresholds) == """
                compared 3 tensors: 1 bit-exact, 1 exact in value, 1 lossy
                SNR of lossy tensors: median 20.79 dB, min 20.79 dB
                lowest: w
                1 tensor below 30 dB
                1 tensor over max |err| 0.25
                1 tensor below cosine 0.9999
                2 tensors not bit-exact
                  widened: dtypes differ, values equal
                  w: first difference at element 3: 4.5 vs reference 4.0
                """)
        #expect(report.renderTable(thresholds: thresholds).hasSuffix(report.summaryLines(thresholds: thresholds)))
    }

    @Test func exactListsAtMostFiveFirstDifferences() throws {
        let rows = try (0..<7).map { try Self.lossy("t\($0)") }
        let thresholds = VerificationThresholds(exact: true)
        let lines = Self.report(rows, thresholds: thresholds).summaryLines(thresholds: thresholds)
            .split(separator: "\n").map(String.init)
        #expect(lines.contains("7 tensors not bit-exact"))
        #expect(
            lines.filter { $0.hasPrefix("  t") }.map { String($0.prefix(4)) } == [
                "  t0", "  t1", "  t2", "  t3", "  t4",
            ])
    }

    @Test func summaryLinesWithoutLimitsMentionNone() throws {
        let report = Self.report([try Self.same(), try Self.lossy()], thresholds: .init())
        let lines = report.summaryLines(thresholds: .init())
        for phrase in ["below", "over max", "not bit-exact"] {
            #expect(!lines.contains(phrase), "\(phrase): \(lines)")
        }
    }

    // MARK: Verifier

    @Test func verifierRecordsTheThresholdsAndTheMinimumSNR() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let reference = folder.path("r.safetensors")
        let candidate = folder.path("c.safetensors")
        try TestTensors.writeSafetensors([try TestTensors.floats("w", [4], [1, 2, 3, 4])], to: reference)
        try TestTensors.writeSafetensors([try TestTensors.floats("w", [4], [1, 2, 3, 4.5])], to: candidate)
        let report = try Verifier.verify(
            referencePath: reference, candidatePath: candidate, minimumSNR: 10,
            thresholds: VerificationThresholds(maximumAbsError: 0.25, exact: true))
        #expect(report.thresholds == VerificationThresholds(minimumSNR: 10, maximumAbsError: 0.25, exact: true))
        #expect(report.minimumSNR == 10)
        let summary = VerificationSummary(report, thresholds: report.thresholds)
        #expect(
            summary.failing.map(\.reasons) == [
                ["max |err| 0.5 > 0.25", "not bit-exact: element 3 is 4.5, reference 4.0"]
            ])
        #expect(report.tensors.first?.firstDifference == ElementDifference(index: 3, reference: 4, candidate: 4.5))
    }
}
