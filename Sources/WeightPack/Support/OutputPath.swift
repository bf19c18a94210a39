import Foundation

/// Checks on an output path before anything is written.
enum OutputPath {
    /// Refuses an output that is one of the inputs (same path after resolving links, or the same file).
    /// - Throws: `WeightPackError.Code.outputIsInput`.
    static func check(_ output: String, against inputs: [String]) throws(WeightPackError) {
        let resolvedOutput = URL(fileURLWithPath: output).resolvingSymlinksInPath().standardizedFileURL.path
        let outputIdentity = identity(of: output)
        for input in inputs {
            let resolvedInput = URL(fileURLWithPath: input).resolvingSymlinksInPath().standardizedFileURL.path
            if resolvedInput == resolvedOutput || (outputIdentity != nil && outputIdentity == identity(of: input)) {
                throw WeightPackError(
                    .outputIsInput, "the output would overwrite the input '\(input)'; choose another output path",
                    path: output)
            }
        }
    }

    /// Device and inode of an existing file, or `nil`.
    private static func identity(of path: String) -> [UInt64]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
    }
}
