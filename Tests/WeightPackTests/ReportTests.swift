import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// `weightpack report`: one self-contained HTML file with inline SVG charts (Sources/WeightPack/Report).
struct ReportTests {
    static let hostileName = "<script>alert(1)</script>"

    /// The small model plus a hostile-named weight, a name with quotes and ampersands, and a name with a
    /// right-to-left override, written as safetensors and packed to int8 + zstd.
    private static func packedModel(in folder: TemporaryDirectory) throws -> (source: String, packed: String) {
        let source = folder.path("model.safetensors")
        let packed = folder.path("model.wpk")
        let tensors =
            try TestTensors.smallModel() + [
                try TestTensors.random(hostileName, [32, 16], magnitude: 0.3, seed: 7),
                try TestTensors.random("a&b \"q\" 'z'.weight", [8, 8], seed: 8),
                try TestTensors.random("rtl\u{202E}txt.weight", [4, 4], seed: 9),
            ]
        try TestTensors.writeSafetensors(tensors, metadata: ["format": "pt"], to: source)
        try Packer.pack(inputPath: source, outputPath: packed, options: PackOptions())
        return (source, packed)
    }

    private static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func reportIsOneFileWithoutScriptsOrNetworkReferences() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let model = try Self.packedModel(in: folder)
        let output = folder.path("report.html")
        let bytes = try ReportBuilder.write(path: model.packed, referencePath: model.source, outputPath: output)
        let html = try String(contentsOfFile: output, encoding: .utf8)

        #expect(bytes == html.utf8.count)
        #expect(try folder.contents() == ["model.safetensors", "model.wpk", "report.html"], "no temporary file left")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        let lowercased = html.lowercased()
        #expect(!lowercased.contains("<script"))
        #expect(!lowercased.contains("http://") && !lowercased.contains("https://"))
        #expect(!lowercased.contains(" src=") && !lowercased.contains(" href="), "nothing linked or loaded")
        #expect(lowercased.contains("<style>"), "CSS is inline")
        let histograms = 4
        #expect(Self.occurrences(of: "<svg", in: html) == 3 + histograms, "bytes, bits per weight, SNR, histograms")
        #expect(Self.occurrences(of: "<svg", in: html) == Self.occurrences(of: "</svg>", in: html))
    }

    @Test func reportNamesEveryLayerGroup() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let model = try Self.packedModel(in: folder)
        let report = try ReportBuilder.build(path: model.packed)
        let html = report.html()
        let groups = report.inspection.groups(by: .layer).map(\.name)
        #expect(groups.contains("encoder.layer.0") && groups.contains("embeddings"))
        for group in groups {
            #expect(html.contains(">\(HTMLText.escaped(group))<"), "group label '\(group)'")
        }
        let largest = report.inspection.groups(by: .layer).map(\.storedBytes).max() ?? 0
        #expect(html.contains(largest < 1024 ? "stored (B)" : "stored (KiB)"), "the y axis names its unit")
        #expect(html.contains("bits per weight"))
        #expect(html.contains("weight value") && html.contains("count"))
    }

    @Test func hostileTensorNamesAreEscapedEverywhere() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let model = try Self.packedModel(in: folder)
        let html = try ReportBuilder.build(path: model.packed, referencePath: model.source).html()

        #expect(!html.contains(Self.hostileName))
        #expect(!html.lowercased().contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("\"q\"") && html.contains("a&amp;b &quot;q&quot; &#39;z&#39;.weight"))
        #expect(
            !html.contains("\u{202E}") && html.contains("rtl\\u{202E}txt.weight"), "the override is shown, not obeyed")
    }

    @Test(arguments: [
        ("<b>&\"'", "&lt;b&gt;&amp;&quot;&#39;"), ("plain.name", "plain.name"), ("a\u{1B}[2Jb", "a\\u{1B}[2Jb"),
        ("", ""), ("\u{2066}x", "\\u{2066}x"),
    ])
    func htmlEscapingCoversMarkupQuotesAndHiddenCharacters(input: String, expected: String) {
        #expect(HTMLText.escaped(input) == expected)
    }

    @Test func snrAppearsOnlyWithAReference() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let model = try Self.packedModel(in: folder)
        let without = try ReportBuilder.build(path: model.packed).html()
        #expect(!without.contains("SNR"))
        #expect(!without.contains("reference</text>"), "no reference series in the histograms")
        #expect(Self.occurrences(of: "<svg", in: without) == 2 + 4)

        let report = try ReportBuilder.build(path: model.packed, referencePath: model.source)
        let with = report.html()
        #expect(with.contains("SNR (dB)") && with.contains("SNR median / min") && with.contains("Worst tensor"))
        #expect(with.contains("bit-exact"), "exact tensors are marked as such")
        let summary = VerificationSummary(try #require(report.verification), minimumSNR: nil)
        let worst = try #require(summary.snrMinimumTensor)
        #expect(with.contains(HTMLText.escaped(worst)))
        #expect(report.histograms.allSatisfy { $0.referenceCounts != nil })
    }

    @Test func histogramsAreSampledDeterministicallyAndCapped() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let model = try Self.packedModel(in: folder)
        let options = ReportOptions(histogramCount: 2, sampleLimit: 100, binCount: 16)
        let first = try ReportBuilder.build(path: model.packed, referencePath: model.source, options: options)
        let second = try ReportBuilder.build(path: model.packed, referencePath: model.source, options: options)
        #expect(first.histograms == second.histograms)
        #expect(first.histograms.map(\.name) == [Self.hostileName, "encoder.layer.0.attention.query.weight"])
        for histogram in first.histograms {
            #expect(histogram.sampledCount == 100)
            #expect(histogram.decodedCounts.count == 16 && histogram.decodedCounts.reduce(0, +) == 100)
            #expect(histogram.referenceCounts?.reduce(0, +) == 100)
        }
    }

    @Test func int8GridIsTheRowWithTheLargestScale() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let model = try Self.packedModel(in: folder)
        let report = try ReportBuilder.build(path: model.packed, options: ReportOptions(histogramCount: 1))
        let histogram = try #require(report.histograms.first)
        let grid = try #require(histogram.grid)
        let source = try TestTensors.random(Self.hostileName, [32, 16], magnitude: 0.3, seed: 7).float32Values()
        let maxima = (0..<32).map { row in Double(source[(row * 16)..<(row * 16 + 16)].map(abs).max()!) }
        let largest = maxima.indices.max { maxima[$0] < maxima[$1] }!
        #expect(grid.granularity == "per_channel" && grid.rows == 32 && grid.levelCount == 255)
        #expect(grid.row == largest)
        #expect(abs(grid.scale - maxima[largest] / 127) <= maxima[largest] / 127 * 1e-6)
        #expect(grid.smallestScale <= grid.medianScale && grid.medianScale <= grid.scale)
        #expect(report.html().contains("int8 grid"))
    }

    @Test(arguments: [20, 61])
    func manyTensorsGiveADotChartAndFewGiveNamedBars(count: Int) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("many.safetensors")
        let tensors = try (0..<count).map { try TestTensors.random("layers.\($0 / 10).w\($0)", [4], seed: UInt64($0)) }
        try TestTensors.writeSafetensors(tensors, to: path)
        let html = try ReportBuilder.build(path: path, referencePath: path).html()
        #expect(html.contains("one dot per tensor") == (count > 60))
        #expect(html.contains(">layers.0.w1</text>") == (count <= 60), "bars name each tensor")
        #expect(html.contains("every compared tensor is exact") == (count > 60))
    }

    @Test func ggufBlockTypesAreNoted() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let source = folder.path("model.safetensors")
        let gguf = folder.path("model.gguf")
        try TestTensors.writeSafetensors([try TestTensors.random("blk.0.ffn.weight", [4, 64], seed: 3)], to: source)
        _ = try Converter.convert(
            inputPath: source, outputPath: gguf, options: ConvertOptions(ggufQuantization: .q8_0))
        let report = try ReportBuilder.build(path: gguf, referencePath: source)
        let histogram = try #require(report.histograms.first)
        #expect(histogram.dtype == "q8_0" && histogram.grid == nil)
        #expect(report.html().contains("Stored as GGML Q8_0"))
    }

    @Test func aFailedReportLeavesTheOldFileAndNoTemporaryFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let output = folder.path("report.html")
        try Data("old".utf8).write(to: URL(fileURLWithPath: output))
        #expect(throws: WeightPackError.self) {
            try ReportBuilder.write(path: folder.path("missing.wpk"), outputPath: output)
        }
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "old")
        #expect(try folder.contents() == ["report.html"])
    }

    @Test func outputMustBeAnHTMLFileThatIsNotAnInput() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let model = try Self.packedModel(in: folder)
        let wrongExtension = #expect(throws: WeightPackError.self) {
            try ReportBuilder.write(path: model.packed, outputPath: folder.path("report.txt"))
        }
        #expect(wrongExtension?.code == .invalidOutput)
        let ontoInput = #expect(throws: WeightPackError.self) {
            try ReportBuilder.write(path: model.packed, referencePath: model.source, outputPath: model.source)
        }
        #expect(ontoInput?.code == .outputIsInput || ontoInput?.code == .invalidOutput)
    }
}

@Suite(.enabled(if: CommandLineTool.isAvailable, "build the weightpack executable first (swift build)"))
struct ReportCommandLineTests {
    @Test func reportCommandWritesTheFileAndExits0() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let source = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: source)
        try Packer.pack(inputPath: source, outputPath: folder.path("model.wpk"), options: PackOptions())

        let result = try CommandLineTool.run(
            ["report", "model.wpk", "--reference", "model.safetensors", "-o", "report.html"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty)
        #expect(result.standardOutput.hasPrefix("wrote report.html ("))
        let html = try String(contentsOfFile: folder.path("report.html"), encoding: .utf8)
        #expect(html.contains("SNR (dB)") && html.contains("</html>"))

        let quiet = try CommandLineTool.run(["report", "model.wpk", "-o", "plain.html", "-q"], in: folder)
        #expect(quiet.status == 0 && quiet.standardOutput.isEmpty)
        #expect(try folder.contents() == ["model.safetensors", "model.wpk", "plain.html", "report.html"])
    }

    @Test func reportCommandRejectsBadArguments() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let source = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: source)

        let usage = try CommandLineTool.run(
            ["report", "model.safetensors", "-o", "r.html", "--histograms", "9"], in: folder)
        #expect(usage.status == 64)
        #expect(usage.standardError.contains("--histograms"), "\(usage.standardError)")

        let wrongExtension = try CommandLineTool.run(["report", "model.safetensors", "-o", "r.txt"], in: folder)
        #expect(wrongExtension.status == 2)
        #expect(wrongExtension.standardError.hasPrefix("error: ") && wrongExtension.standardError.contains(".html"))

        let missing = try CommandLineTool.run(["report", "missing.wpk", "-o", "r.html"], in: folder)
        #expect(missing.status == 2 && missing.standardError.contains("missing.wpk"))
        #expect(try folder.contents() == ["model.safetensors"])
    }
}
