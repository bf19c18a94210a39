import Foundation
import TestSupport
import Testing

/// `weightpack pack` killed while writing its output: the previous output stays byte-identical and the output
/// folder holds nothing else (the output is an unnamed file until it is complete, see `AtomicFileWriter`).
@Suite(
    .enabled(if: CommandLineTool.isAvailable, "build the weightpack executable first (swift build)"),
    .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd"), "needs /proc to watch the writer"))
struct KilledWriterTests {
    /// When the signal is sent, counted from the moment the child opens its output file.
    enum KillPoint: CustomStringConvertible {
        /// As soon as the output is open (only the placeholder header written).
        case whenTheOutputOpens
        /// Once the output holds at least this many bytes.
        case afterBytes(Int)
        /// This many seconds after the output opens.
        case afterSeconds(Double)

        var description: String {
            switch self {
            case .whenTheOutputOpens: "when the output opens"
            case .afterBytes(let count): "after \(count) bytes are written"
            case .afterSeconds(let seconds): "\(seconds) s after the output opens"
            }
        }
    }

    static let runs: [(signal: Int32, point: KillPoint)] = [
        (SIGKILL, .whenTheOutputOpens), (SIGKILL, .afterBytes(1 << 20)), (SIGKILL, .afterSeconds(0.3)),
        (SIGKILL, .afterBytes(16 << 20)), (SIGTERM, .afterBytes(1 << 20)), (SIGINT, .afterSeconds(0.2)),
    ]

    @Test func killedPackLeavesThePreviousOutputAndNothingElse() throws {
        let modelFolder = try TemporaryDirectory()
        let outputFolder = try TemporaryDirectory()
        defer {
            modelFolder.remove()
            outputFolder.remove()
        }
        let model = modelFolder.path("model.safetensors")
        try Self.writeModel(to: model, tensorCount: 8, elementsPerTensor: 2 << 20)  // 64 MiB of float32
        let output = outputFolder.path("model.wpk")
        let previous = Data("a previous model.wpk that no failed pack may touch".utf8)
        try previous.write(to: URL(fileURLWithPath: output))

        guard let executable = CommandLineTool.executable else { return }  // the suite is disabled then
        for (signal, point) in Self.runs {
            let context = "signal \(signal) \(point)"
            var child = try Child(executable.path, ["pack", model, "-o", output, "--recipe", "lossless", "-q"])
            guard Self.wait(for: point, in: &child, folder: outputFolder.url.path) else {
                Issue.record("pack ended (status \(child.waitForExit())) before the kill point: \(context)")
                continue
            }
            kill(child.pid, signal)
            let status = child.waitForExit()
            #expect(status & 0x7F == signal, "\(context): wait status \(status)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == previous, "\(context)")
            #expect(try outputFolder.contents() == ["model.wpk"], "\(context)")
        }
    }

    /// Polls the child every 5 ms until `point`; `false` when it exits first or 60 s pass.
    private static func wait(for point: KillPoint, in child: inout Child, folder: String) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        var openedAt: Date?
        while child.isRunning(), Date() < deadline {
            if let size = outputByteCount(of: child.pid, in: folder) {
                let opened = openedAt ?? Date()
                openedAt = opened
                switch point {
                case .whenTheOutputOpens: return true
                case .afterBytes(let count): if size >= count { return child.isRunning() }
                case .afterSeconds(let seconds):
                    if Date().timeIntervalSince(opened) >= seconds { return child.isRunning() }
                }
            }
            usleep(5_000)
        }
        return false
    }

    /// The size of the file that process `pid` has open in `folder` (named or not), or `nil` when it has none.
    private static func outputByteCount(of pid: Int32, in folder: String) -> Int? {
        let descriptors = "/proc/\(pid)/fd"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: descriptors) else { return nil }
        for entry in entries {
            let link = descriptors + "/" + entry
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link),
                target.hasPrefix(folder + "/")
            else { continue }
            var info = stat()
            if stat(link, &info) == 0 { return Int(info.st_size) }
        }
        return nil
    }

    /// A safetensors file of `tensorCount` float32 tensors `[elementsPerTensor / 1024, 1024]` of small random
    /// values (seeded, so the run is repeatable).
    private static func writeModel(to path: String, tensorCount: Int, elementsPerTensor: Int) throws {
        let byteCount = 4 * elementsPerTensor
        var json = "{"
        for index in 0..<tensorCount {
            json += index == 0 ? "" : ","
            json += #""layers.\#(index).weight":{"dtype":"F32","shape":[\#(elementsPerTensor / 1024),1024],"#
            json += #""data_offsets":[\#(index * byteCount),\#((index + 1) * byteCount)]}"#
        }
        json += "}"
        json += String(repeating: " ", count: (8 - json.utf8.count % 8) % 8)
        var file = Data(withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian, Array.init))
        file.append(Data(json.utf8))
        var values = [Float](repeating: 0, count: tensorCount * elementsPerTensor)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        values.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                buffer[index] = Float(Int32(truncatingIfNeeded: state >> 32)) * 0x1p-36
            }
        }
        values.withUnsafeBytes { file.append(contentsOf: $0) }
        try file.write(to: URL(fileURLWithPath: path))
    }
}

/// A child process started with every signal unblocked and SIGINT, SIGTERM, SIGHUP at their default action, so
/// that each signal kills it as it would a command run from a shell (a test runner's threads may block or ignore
/// them, and children inherit that). Output goes to /dev/null.
private struct Child {
    let pid: pid_t
    private var status: Int32?

    init(_ executable: String, _ arguments: [String]) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        self.pid = pid
    }

    /// Whether the child is still running (reaps it when it has ended).
    mutating func isRunning() -> Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        if waitpid(pid, &raw, WNOHANG) == pid { status = raw }
        return status == nil
    }

    /// Waits for the child to end; returns its `waitpid` status (the signal number in the low 7 bits when a signal
    /// ended it, else the exit status times 256).
    mutating func waitForExit() -> Int32 {
        if let status { return status }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
        status = raw
        return raw
    }
}
