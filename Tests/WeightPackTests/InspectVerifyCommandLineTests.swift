import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// End-to-end runs of `inspect --group-by/--sort/--top` and `verify --max-abs/--min-cosine/--exact/--metric`,
/// plain output without escape characters, and damaged `.wpk` data.
@Suite(.enabled(if: CommandLineTool.isAvailable, "build the weightpack executable first (swift build)"))
struct InspectVerifyCommandLineTests {
    /// The small model plus a second layer, so that grouping by layer gives several groups.
    static func writeModel(in folder: TemporaryDirectory) throws -> String {
        let path = folder.path("model.safetensors")
        let tensors =
            try TestTensors.smallModel() + [
                try TestTensors.random("encoder.layer.1.attention.query.weight", [32, 24], seed: 5),
                try TestTensors.random("encoder.layer.1.attention.query.bias", [24], dtype: .float16, seed: 6),
            ]
        try TestTensors.writeSafetensors(tensors, metadata: ["format": "pt"], to: path)
        return path
    }

    /// Reference and candidate with known errors:
    /// `a` equal; `b` = (1, 2, 3, 4) → (1, 2, 3, 4.5): max |e| 0.5, cosine 0.998295, SNR 20.79 dB;
    /// `c` = (1, −1, 1, −1) → (1, 1, 1, −1): max |e| 2, cosine 0.5, SNR 0 dB.
    static func writePair(in folder: TemporaryDirectory) throws {
        try TestTensors.writeSafetensors(
            [
                try TestTensors.floats("a", [4], [1, 2, 3, 4]), try TestTensors.floats("b", [4], [1, 2, 3, 4]),
                try TestTensors.floats("c", [4], [1, -1, 1, -1]),
            ], to: folder.path("ref.safetensors"))
        try TestTensors.writeSafetensors(
            [
                try TestTensors.floats("a", [4], [1, 2, 3, 4]), try TestTensors.floats("b", [4], [1, 2, 3, 4.5]),
                try TestTensors.floats("c", [4], [1, 1, 1, -1]),
            ], to: folder.path("cand.safetensors"))
    }

    // MARK: inspect

    @Test(arguments: [
        (["--group-by", "layer"], InspectionTableOptions(grouping: .layer)),
        (["--group-by", "prefix:2", "--sort", "size"], InspectionTableOptions(sort: .size, grouping: .prefix(2))),
        (["--sort", "bpw", "--top", "2"], InspectionTableOptions(sort: .bpw, top: 2)),
        (["--group-by", "STAGE", "--sort", "Ratio", "--top", "1"], .init(sort: .ratio, top: 1, grouping: .stage)),
        (["--group-by", "dtype", "--sort", "name", "--bytes"], .init(exactBytes: true, sort: .name, grouping: .dtype)),
        (["--top", "100"], InspectionTableOptions(top: 100)),
    ])
    func inspectPrintsTheTableTheOptionsDescribe(arguments: [String], options: InspectionTableOptions) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try Self.writeModel(in: folder)
        try Packer.pack(inputPath: input, outputPath: folder.path("model.wpk"), options: PackOptions())
        let result = try CommandLineTool.run(["inspect", "model.wpk"] + arguments, in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty)
        var inspection = try Inspector.inspect(path: folder.path("model.wpk"))
        inspection.path = "model.wpk"
        #expect(result.standardOutput == inspection.renderTable(options) + "\n")
    }

    @Test func inspectGroupByLayerAndTopOnASafetensorsFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try Self.writeModel(in: folder)
        let result = try CommandLineTool.run(
            ["inspect", "model.safetensors", "--group-by", "layer", "--sort", "name", "--top", "2", "--bytes"],
            in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines[2].hasPrefix("group ") && lines[2].hasSuffix(" tensors  original    stored ratio   bpw"))
        #expect(lines[4].hasPrefix("attention ") && lines[5].hasPrefix("embeddings "), "\(result.standardOutput)")
        #expect(lines[6] == "… 2 more (--top 2 of 4)")
        #expect(lines.contains { $0.hasPrefix("header and index: ") && $0.contains(", metadata: 31 B, padding: ") })
    }

    @Test(arguments: [
        (["--group-by", "bogus"], "--group-by"), (["--group-by", "prefix:0"], "--group-by"),
        (["--group-by", "prefix:"], "--group-by"), (["--group-by", "prefix:x"], "--group-by"),
        (["--sort", "biggest"], "--sort"), (["--sort", ""], "--sort"), (["--top", "0"], "--top"),
        (["--top", "-1"], "--top"), (["--top", "many"], "--top"), (["--top"], "--top"),
    ])
    func inspectWithABadGroupingSortOrTopIsAUsageError(arguments: [String], flag: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try Self.writeModel(in: folder)
        let result = try CommandLineTool.run(["inspect", "model.safetensors"] + arguments, in: folder)
        #expect(result.status == 64, "\(arguments): \(result.standardError)")
        #expect(result.standardError.hasPrefix("error: "))
        #expect(result.standardError.contains(flag), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    // MARK: Plain output

    @Test func outputThatIsNotATerminalHasNoEscapeCharacters() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try Self.writeModel(in: folder)
        try Packer.pack(inputPath: input, outputPath: folder.path("model.wpk"), options: PackOptions())
        try Self.writePair(in: folder)
        for arguments in [
            ["inspect", "model.wpk"], ["inspect", "model.safetensors", "--group-by", "layer", "--top", "1"],
            ["verify", "model.safetensors", "model.wpk", "--metric", "rel-frob,snr"],
            ["verify", "ref.safetensors", "cand.safetensors", "--exact", "--max-abs", "0"],
            ["pack", "model.safetensors", "-o", "again.wpk"], ["convert", "model.wpk", "again.safetensors"],
        ] {
            let result = try CommandLineTool.run(arguments, in: folder)
            #expect(result.status != 64 && result.status != 2, "\(arguments): \(result.standardError)")
            #expect(!result.standardOutput.contains("\u{1B}"), "\(arguments)")
            #expect(!result.standardError.contains("\u{1B}"), "\(arguments)")
        }
    }

    /// A progress bar needs 50 MB of work; on a pipe it stays off.
    @Test func largeWorkOnAPipeDrawsNoProgressBar() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensor = try Tensor(name: "big", dtype: .float32, shape: [12_500_001], data: Data(count: 50_000_004))
        try TestTensors.writeSafetensors([tensor], to: folder.path("big.safetensors"))
        let result = try CommandLineTool.run(["verify", "big.safetensors", "big.safetensors"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty)
        #expect(!result.standardOutput.contains("\u{1B}") && !result.standardOutput.contains("\r"))
    }

    @Test(.enabled(if: TerminalRun.isAvailable, "needs util-linux script(1) for a pseudo-terminal"))
    func onATerminalTheHeadingIsBoldUnlessNoColorIsSet() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try Self.writeModel(in: folder)
        for arguments in [["inspect", "model.safetensors"], ["inspect", "model.safetensors", "--group-by", "dtype"]] {
            let coloured = try TerminalRun.run(arguments, in: folder)
            #expect(coloured.status == 0, "\(coloured.transcript)")
            let lines = coloured.transcript.components(separatedBy: "\r\n")
            #expect(lines.count > 3 && lines[2].hasPrefix("\u{1B}[1m") && lines[2].hasSuffix("\u{1B}[0m"), "\(lines)")
            #expect(coloured.transcript.filter { $0 == "\u{1B}" }.count == 2)
            let plain = try TerminalRun.run(arguments, environment: ["NO_COLOR": "1"], in: folder)
            #expect(plain.status == 0)
            #expect(!plain.transcript.contains("\u{1B}"), "\(plain.transcript)")
            #expect(plain.transcript.replacingOccurrences(of: "\r\n", with: "\n").hasPrefix("model.safetensors\n"))
        }
    }

    /// no-color.org: NO_COLOR disables colour "when present and not an empty string".
    @Test(.enabled(if: TerminalRun.isAvailable, "needs util-linux script(1) for a pseudo-terminal"))
    func anEmptyNoColorLeavesColourOn() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try Self.writeModel(in: folder)
        let result = try TerminalRun.run(["inspect", "model.safetensors"], environment: ["NO_COLOR": ""], in: folder)
        #expect(result.status == 0)
        #expect(result.transcript.contains("\u{1B}[1m"))

    }

    // MARK: verify thresholds

    @Test(arguments: [
        (["--max-abs", "1"], "error: c: max |err| 2.0 > 1\n"),
        (["--max-abs", "0.25"], "error: b: max |err| 0.5 > 0.25\nerror: c: max |err| 2.0 > 0.25\n"),
        (["--min-cosine", "0.9"], "error: c: cosine 0.500000 < 0.9\n"),
        (["--min-cosine", "0.999"], "error: b: cosine 0.998295 < 0.999\nerror: c: cosine 0.500000 < 0.999\n"),
        (
            ["--exact"],
            "error: b: not bit-exact: element 3 is 4.5, reference 4.0\n"
                + "error: c: not bit-exact: element 1 is 1.0, reference -1.0\n"
        ),
        (
            ["--max-abs", "1", "--min-cosine", "0.9", "--exact"],
            "error: b: not bit-exact: element 3 is 4.5, reference 4.0\n"
                + "error: c: max |err| 2.0 > 1; cosine 0.500000 < 0.9; not bit-exact: element 1 is 1.0, reference -1.0\n"
        ),
        (
            ["--min-snr", "10", "--max-abs", "0.25"],
            "error: 1 below 10 dB: c\nerror: b: max |err| 0.5 > 0.25\nerror: c: max |err| 2.0 > 0.25\n"
        ),
    ])
    func verifyFailingALimitExits1WithOneLinePerFailingTensor(arguments: [String], standardError: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Self.writePair(in: folder)
        let result = try CommandLineTool.run(["verify", "ref.safetensors", "cand.safetensors"] + arguments, in: folder)
        #expect(result.status == 1, "\(result.standardError)")
        #expect(result.standardError == standardError)
        #expect(!result.standardOutput.contains("error:"))
        let rows = result.standardOutput.split(separator: "\n").dropFirst(2)
        #expect(rows.first?.hasSuffix(" FAIL") == true, "failing rows first: \(result.standardOutput)")
    }

    @Test func verifySummaryLinesNameEachLimit() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Self.writePair(in: folder)
        let result = try CommandLineTool.run(
            ["verify", "ref.safetensors", "cand.safetensors", "--max-abs", "1", "--min-cosine", "0.9", "--exact"],
            in: folder)
        #expect(result.status == 1)
        #expect(
            result.standardOutput.hasSuffix(
                """
                compared 3 tensors: 1 bit-exact, 0 exact in value, 2 lossy
                SNR of lossy tensors: median 10.40 dB, min 0.00 dB
                lowest: c
                1 tensor over max |err| 1
                1 tensor below cosine 0.9
                2 tensors not bit-exact
                  b: first difference at element 3: 4.5 vs reference 4.0
                  c: first difference at element 1: 1.0 vs reference -1.0

                """), "\(result.standardOutput)")
    }

    @Test func verifyWithinEveryLimitExits0() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Self.writePair(in: folder)
        let result = try CommandLineTool.run(
            [
                "verify", "ref.safetensors", "cand.safetensors", "--max-abs", "2", "--min-cosine", "0.5", "--min-snr",
                "0",
            ],
            in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty)
        #expect(result.standardOutput.contains("\n0 tensors over max |err| 2\n0 tensors below cosine 0.5"))
    }

    @Test func verifyNamesEveryFailingTensorNotJustFive() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let names = (0..<7).map { "t\($0)" }
        try TestTensors.writeSafetensors(
            try names.map { try TestTensors.floats($0, [2], [1, 2]) }, to: folder.path("ref.safetensors"))
        try TestTensors.writeSafetensors(
            try names.map { try TestTensors.floats($0, [2], [1, 3]) }, to: folder.path("cand.safetensors"))
        let result = try CommandLineTool.run(
            ["verify", "ref.safetensors", "cand.safetensors", "--max-abs", "0.5"], in: folder)
        #expect(result.status == 1)
        let lines = result.standardError.split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.hasPrefix("error: t") && $0.hasSuffix(": max |err| 1.0 > 0.5") }, "\(lines)")
        #expect(lines.count == 7, "\(result.standardError)")

    }

    @Test(arguments: [["--quant", "none"], ["--quant", "none", "--codec", "lz4"]])
    func verifyExactOfALosslessPackExits0(packArguments: [String]) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try Self.writeModel(in: folder)
        let pack = try CommandLineTool.run(
            ["pack", "model.safetensors", "-o", "model.wpk", "-q"] + packArguments, in: folder)
        #expect(pack.status == 0, "\(pack.standardError)")
        let unpack = try CommandLineTool.run(["unpack", "model.wpk", "-o", "back.safetensors", "-q"], in: folder)
        #expect(unpack.status == 0, "\(unpack.standardError)")
        for candidate in ["model.wpk", "back.safetensors"] {
            let result = try CommandLineTool.run(["verify", "model.safetensors", candidate, "--exact"], in: folder)
            #expect(result.status == 0, "\(candidate): \(result.standardError)")
            #expect(result.standardError.isEmpty)
            #expect(result.standardOutput.contains("compared 6 tensors: 6 bit-exact, 0 exact in value, 0 lossy\n"))
            #expect(result.standardOutput.hasSuffix("\n0 tensors not bit-exact\n"), "\(result.standardOutput)")
        }
    }

    @Test func verifyExactOfALosslessDTypeChangeFailsNamingTheDTypes() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try TestTensors.writeSafetensors(
            [try TestTensors.floats("w", [4], [1, 0.5, -2, 4])], to: folder.path("ref.safetensors"))
        let convert = try CommandLineTool.run(
            ["convert", "ref.safetensors", "half.safetensors", "--dtype", "f16", "-q"], in: folder)
        #expect(convert.status == 0, "\(convert.standardError)")
        let result = try CommandLineTool.run(["verify", "ref.safetensors", "half.safetensors", "--exact"], in: folder)
        #expect(result.status == 1)
        #expect(result.standardError == "error: w: not bit-exact (dtypes differ)\n")
        #expect(result.standardOutput.contains("\n  w: dtypes differ, values equal\n"))
    }

    @Test func verifyMetricChoosesTheColumns() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Self.writePair(in: folder)
        for (metric, heading) in [
            ("rel-frob,snr", "tensor                        rel.frob  snr dB status"),
            (" COSINE , max-abs", "tensor                          cosine max|err| status"),
            ("rmse", "tensor                            rmse status"),
        ] {
            let result = try CommandLineTool.run(
                ["verify", "ref.safetensors", "cand.safetensors", "--metric", metric], in: folder)
            #expect(result.status == 0, "\(metric): \(result.standardError)")
            #expect(result.standardOutput.hasPrefix(heading + "\n"), "\(metric): \(result.standardOutput)")
        }
    }

    @Test(arguments: [
        (["--metric", "bogus"], "--metric"), (["--metric", "snr,psnr"], "--metric"),
        (["--max-abs", "nan"], "--max-abs"), (["--max-abs", "inf"], "--max-abs"),
        (["--max-abs", "-inf"], "--max-abs"), (["--min-cosine", "nan"], "--min-cosine"),
        (["--min-cosine", "inf"], "--min-cosine"), (["--min-cosine", "-inf"], "--min-cosine"),
        (["--max-abs", "small"], "--max-abs"),
    ])
    func verifyWithABadMetricOrNonFiniteLimitIsAUsageError(arguments: [String], flag: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Self.writePair(in: folder)
        let result = try CommandLineTool.run(["verify", "ref.safetensors", "cand.safetensors"] + arguments, in: folder)
        #expect(result.status == 64, "\(arguments): \(result.standardError)")
        #expect(result.standardError.hasPrefix("error: "))
        #expect(result.standardError.contains(flag), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test func verifyJSONCarriesTheFailingTensorsAndFirstDifferences() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Self.writePair(in: folder)
        let result = try CommandLineTool.run(
            ["verify", "ref.safetensors", "cand.safetensors", "--max-abs", "1", "--exact", "--json"], in: folder)
        #expect(result.status == 1)
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(summary["passed"] as? Bool == false)
        #expect((summary["thresholds"] as? [String: Any])?["max_abs"] as? Double == 1)
        #expect((summary["thresholds"] as? [String: Any])?["exact"] as? Bool == true)
        let failing = try #require(summary["failing"] as? [[String: Any]])
        #expect(failing.map { $0["name"] as? String } == ["b", "c"])
        let rows = try #require(json["tensors"] as? [[String: Any]])
        #expect(rows[0]["first_difference"] == nil)
        let difference = try #require(rows[2]["first_difference"] as? [String: Any])
        #expect(difference["index"] as? Int == 1)
        #expect(difference["reference"] as? Double == -1 && difference["candidate"] as? Double == 1)
        #expect(result.standardError.contains("error: c: max |err| 2.0 > 1; not bit-exact"))
    }

    // MARK: Damaged data

    @Test(arguments: [
        "encoder.layer.0.attention.query.weight", "encoder.layer.0.attention.query.bias", "embeddings.position_ids",
        "attention.mask", "encoder.layer.1.attention.query.bias",
    ])
    func aFlippedByteInOneTensorMakesVerifyAndUnpackNameItAndItsChecksum(name: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try Self.writeModel(in: folder)
        let packed = folder.path("model.wpk")
        try Packer.pack(inputPath: folder.path("model.safetensors"), outputPath: packed, options: PackOptions())
        let record = try #require(try WPKReader(path: packed).index.tensors.first { $0.name == name })
        var damaged: [UInt8] = []
        try WPKSurgery.editBytes(ofFileAt: packed) { bytes in
            bytes[record.offset + record.length / 2] ^= 0x01
            damaged = Array(bytes[record.offset..<(record.offset + record.length)])
        }
        let actual = Checksum.hex(Checksum.xxh3(damaged))
        #expect(actual != record.checksum)
        let before = try folder.contents()
        for arguments in [
            ["verify", "model.safetensors", "model.wpk"], ["verify", "model.wpk", "model.safetensors", "--json"],
            ["unpack", "model.wpk", "-o", "out.safetensors"],
        ] {
            let result = try CommandLineTool.run(arguments, in: folder)
            #expect(result.status == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardOutput.isEmpty, "\(arguments)")
            let lines = result.standardError.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("error: model.wpk, "), "\(result.standardError)")
            #expect(result.standardError.contains("tensor '\(name)'"), "\(result.standardError)")
            #expect(result.standardError.contains(record.checksum), "the recorded checksum: \(result.standardError)")
            #expect(result.standardError.contains(actual), "the damaged bytes' checksum: \(result.standardError)")
            #expect(result.standardError.lowercased().contains("checksum"), "\(result.standardError)")

        }
        #expect(try folder.contents() == before, "unpack leaves no output or temporary file")
    }
}

/// Runs the tool on a pseudo-terminal through util-linux `script(1)`, so that stdout and stderr are TTYs.
enum TerminalRun {
    static let script = URL(fileURLWithPath: "/usr/bin/script")

    static var isAvailable: Bool {
        CommandLineTool.isAvailable && FileManager.default.isExecutableFile(atPath: script.path)
    }

    struct Result {
        var status: Int32
        /// Everything the terminal showed (stdout and stderr), lines ending in `\r\n`.
        var transcript: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], in folder: TemporaryDirectory)
        throws -> Result
    {
        let executable = try #require(CommandLineTool.executable)
        let quote = { (text: String) in "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let command = ([executable.path] + arguments).map(quote).joined(separator: " ")
        let outputURL = folder.url.appendingPathComponent(".transcript-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let process = Process()
        process.executableURL = script
        process.arguments = ["-q", "-e", "-c", command, "/dev/null"]
        process.currentDirectoryURL = folder.url
        var variables = ProcessInfo.processInfo.environment
        variables.removeValue(forKey: "NO_COLOR")
        variables.merge(environment) { _, new in new }
        process.environment = variables
        let output = try FileHandle(forWritingTo: outputURL)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try output.close()
        return Result(
            status: process.terminationStatus,
            transcript: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self))
    }
}
