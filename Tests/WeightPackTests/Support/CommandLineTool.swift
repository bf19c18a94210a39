import Foundation
import TestSupport
import Testing

/// The `weightpack` executable built by `swift build`, run as a child process.
enum CommandLineTool {
    /// The `weightpack` built beside this test bundle (same build folder and configuration), else
    /// `<root>/.build/debug/weightpack`; `nil` when neither exists.
    static let executable: URL? = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("weightpack")
        let candidates =
            [besideTests] + (Fixtures.packageRoot.map { [$0.appendingPathComponent(".build/debug/weightpack")] } ?? [])
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static var isAvailable: Bool { executable != nil }

    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs the tool with `arguments` in `folder`; output goes through files, so no pipe can fill up.
    static func run(_ arguments: [String], in folder: TemporaryDirectory) throws -> Result {
        let executable = try #require(executable)
        let outputURL = folder.url.appendingPathComponent(".stdout-\(UUID().uuidString)")
        let errorURL = folder.url.appendingPathComponent(".stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder.url
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try output.close()
        try error.close()
        return Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
            standardError: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
    }
}
