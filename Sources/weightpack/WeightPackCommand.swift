import ArgumentParser
import Foundation
import WeightPack

/// Exit codes: 0 success, 1 verification failed, 2 bad input or failure, 64 usage error.
enum ExitStatus {
    static let verificationFailed: Int32 = 1
    static let failure: Int32 = 2
    static let usage: Int32 = 64
}

@main
struct WeightPackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weightpack",
        abstract: "Convert and compress neural-network weight files.",
        discussion: """
            Exit codes: 0 success; 1 verification failed (a threshold was not met or tensors differ by name or \
            shape); 2 bad input or an I/O failure; 64 a usage error.
            """,
        version: "0.1.0",
        subcommands: [Pack.self, Unpack.self, Convert.self, Inspect.self, Verify.self, Report.self, Tune.self])

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as WeightPackError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            Foundation.exit(ExitStatus.failure)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            let message = self.message(for: error)
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            if code == .validationFailure {
                FileHandle.standardError.write(Data("(see 'weightpack help' for usage)\n".utf8))
                Foundation.exit(ExitStatus.usage)
            }
            Foundation.exit(code == .failure ? ExitStatus.failure : code.rawValue)
        }
    }
}
