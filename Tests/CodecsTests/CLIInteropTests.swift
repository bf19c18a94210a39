import Codecs
import Foundation
import Testing

/// Payloads exchanged with the reference command-line tools, both ways.
@Suite("CLI interop")
struct CLIInteropTests {
    static let zstdPath = "/usr/bin/zstd"
    static let lz4Path = "/usr/bin/lz4"
    static let input = TestBytes.compressible(count: 700_000, seed: 21) + TestBytes.random(count: 50_000, seed: 22)

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: zstdPath)))
    func zstdCLIDecodesOurPayload() throws {
        let payload = try ZstdCodec(level: 5).encode(bytes: Self.input)
        let decoded = try runTool(Self.zstdPath, on: payload) { input, output in
            ["-d", "-q", "-f", input, "-o", output]
        }
        #expect(decoded == Self.input)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: lz4Path)))
    func lz4CLIDecodesOurPayload() throws {
        let payload = try LZ4Codec().encode(bytes: Self.input)
        let decoded = try runTool(Self.lz4Path, on: payload) { input, output in ["-d", "-q", "-f", input, output] }
        #expect(decoded == Self.input)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: zstdPath)))
    func zstdCodecDecodesCLIPayload() throws {
        let payload = try runTool(Self.zstdPath, on: Self.input) { input, output in
            ["-q", "-19", "-f", input, "-o", output]
        }
        #expect(try ZstdCodec().decode(bytes: payload, decodedByteCount: Self.input.count) == Self.input)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: lz4Path)))
    func lz4CodecDecodesCLIPayload() throws {
        let payload = try runTool(Self.lz4Path, on: Self.input) { input, output in ["-q", "-f", input, output] }
        #expect(try LZ4Codec().decode(bytes: payload, decodedByteCount: Self.input.count) == Self.input)
    }

    /// Writes `bytes` to a temporary file, runs `tool` with the arguments `arguments(inputPath, outputPath)`,
    /// expects exit status 0, and returns the output file's bytes.
    private func runTool(
        _ tool: String, on bytes: [UInt8], arguments: (String, String) -> [String]
    ) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("codecs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("input")
        let outputURL = directory.appendingPathComponent("output")
        try Data(bytes).write(to: inputURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments(inputURL.path, outputURL.path)
        let standardError = Pipe()
        process.standardError = standardError
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: standardError.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(process.terminationStatus == 0, "\(tool) exited with \(process.terminationStatus): \(message)")
        return [UInt8](try Data(contentsOf: outputURL))
    }
}
