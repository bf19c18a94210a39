import Foundation

/// A Python interpreter with a reference library (numpy, safetensors, gguf), named by an environment variable
/// that scripts/test.sh sets; tests that need one are enabled only when it is present.
public enum PythonInterpreter {
    /// A failed script: its exit status.
    public struct Failure: Error, CustomStringConvertible {
        /// The interpreter's exit status.
        public let status: Int32
        public var description: String { "python exited with \(status)" }
    }

    /// The executable named by `variable`, or `nil` when it is unset, empty or not executable.
    public static func path(from variable: String) -> String? {
        guard let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty,
            FileManager.default.isExecutableFile(atPath: path)
        else { return nil }
        return path
    }

    /// Runs `python -c script arguments…` and returns its standard output.
    /// - Throws: ``Failure`` when the script exits non-zero; the error of `Process.run()` when it cannot start.
    public static func run(_ interpreter: String, script: String, arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = ["-c", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(status: process.terminationStatus) }
        return data
    }
}
