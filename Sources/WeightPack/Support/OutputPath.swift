import Foundation

/// Checks on an output path before anything is written.
enum OutputPath {
    /// Refuses an output that is one of the inputs (same path after resolving links, or the same file), an
    /// empty path, an existing folder, or a name whose extension is not `requiredExtension`. With
    /// `requiredExtension` `nil` the output is a folder: it may exist only if it is empty.
    /// - Throws: `WeightPackError.Code.outputIsInput` or `.invalidOutput`.
    /// With `mayExist`, only the identity check runs (for files whose name the writer chose, e.g. shards).
    static func check(
        _ output: String, against inputs: [String], requiredExtension: String?, mayExist: Bool = false
    ) throws(WeightPackError) {
        guard !output.isEmpty else { throw WeightPackError(.invalidOutput, "the output path is empty") }
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
        if mayExist { return }
        var isDirectory: ObjCBool = false
        guard let requiredExtension else {
            if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) {
                let contents = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? ["?"]
                guard isDirectory.boolValue, contents.isEmpty else {
                    throw WeightPackError(
                        .invalidOutput, "exists and is not an empty folder; name a new folder for this output",
                        path: output)
                }
            }
            return
        }
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), isDirectory.boolValue {
            throw WeightPackError(.invalidOutput, "is a folder; name a file to write", path: output)
        }
        if let type = (try? FileManager.default.attributesOfItem(atPath: output)[.type]) as? FileAttributeType,
            type != .typeRegular, type != .typeSymbolicLink
        {
            throw WeightPackError(
                .invalidOutput, "exists and is not a regular file; it would be replaced", path: output)
        }
        let pathExtension = URL(fileURLWithPath: output).pathExtension.lowercased()
        guard pathExtension == requiredExtension else {
            throw WeightPackError(
                .invalidOutput,
                "this command writes a .\(requiredExtension) file; name the output *.\(requiredExtension)",
                path: output)
        }
    }

    /// Device and inode of an existing file, or `nil`.
    private static func identity(of path: String) -> [UInt64]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
    }
}
