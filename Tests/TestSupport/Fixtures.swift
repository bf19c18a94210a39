import Foundation

/// The package's committed `fixtures/` folder, found by walking up from this source file to the folder
/// that holds `Package.swift`, so tests run from any working directory.
public enum Fixtures {
    /// The folder holding `Package.swift`, found by walking up from this source file; `nil` when no folder
    /// above it holds one. Computed once.
    public static let packageRoot: URL? = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder
            }
            folder.deleteLastPathComponent()
        }
        return nil
    }()

    /// The URL of `fixtures/<relativePath>`; whether the file exists is not checked.
    ///
    /// Stops the test process when ``packageRoot`` is `nil`, as no fixture can be found then.
    public static func url(_ relativePath: String) -> URL {
        guard let packageRoot else { fatalError("no Package.swift above \(#filePath)") }
        return packageRoot.appendingPathComponent("fixtures").appendingPathComponent(relativePath)
    }

    /// The bytes of `fixtures/<relativePath>`.
    ///
    /// - Throws: the `Data(contentsOf:)` error when the file is missing or unreadable.
    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relativePath)))
    }
}
