import CLibFuzzer
import Foundation

/// The `main` of every fuzz executable: hands the process to libFuzzer, or writes the target's generated seeds.
///
/// `fuzz-NAME --write-seeds FOLDER` writes the seeds built in memory from valid data (see
/// `FuzzTarget.generatedSeeds()`) as `FOLDER/generated-NNNN` and exits; any other arguments are libFuzzer's
/// (`-max_total_time=60 CORPUS…`).
public enum FuzzDriver {
    /// A libFuzzer callback: one input, `0` when it ran.
    public typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs target `name`; `callback` must call ``run(_:_:_:)`` with the same name (a C callback cannot
    /// capture it).
    public static func main(target name: String, callback: Callback) -> Never {
        guard let target = FuzzTarget(rawValue: name) else { fatalError("unknown fuzz target '\(name)'") }
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "--write-seeds" {
            exit(writeSeeds(of: target, to: URL(fileURLWithPath: arguments[2])))
        }
        // Pack the `.wpk` templates before the first input, so that their cost is not charged to it.
        if [.wpk, .wpkPayload, .wpkIndex].contains(target) { _ = FuzzContainers.templates.count }
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
    }

    /// Runs target `name` on one input.
    public static func run(_ name: String, _ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
        FuzzTarget(rawValue: name)?.run(bytes)
        return 0
    }

    private static func writeSeeds(of target: FuzzTarget, to folder: URL) -> Int32 {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (position, seed) in target.generatedSeeds().enumerated() {
                let name =
                    "generated-" + String(repeating: "0", count: max(0, 4 - String(position).count)) + String(position)
                try Data(seed).write(to: folder.appendingPathComponent(name))
            }
            return 0
        } catch {
            print("cannot write seeds to \(folder.path): \(error)")
            return 1
        }
    }
}
