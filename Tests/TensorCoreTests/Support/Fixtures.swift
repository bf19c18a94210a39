import Foundation

/// The package's committed `fixtures/` folder, found by walking up from this source file to the folder
/// that holds `Package.swift`, so tests run from any working directory.
enum Fixtures {
    /// The folder holding `Package.swift`.
    static let packageRoot: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder
            }
            folder.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    /// The URL of `fixtures/<relativePath>`.
    static func url(_ relativePath: String) -> URL {
        packageRoot.appendingPathComponent("fixtures").appendingPathComponent(relativePath)
    }

    /// The bytes of `fixtures/<relativePath>`.
    static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relativePath)))
    }
}
