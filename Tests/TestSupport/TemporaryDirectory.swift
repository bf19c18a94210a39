import Foundation

/// A fresh, empty folder under the system's temporary folder; call ``remove()`` when done.
public struct TemporaryDirectory: Sendable {
    /// The folder's location: `<temporary folder>/weightpack-tests-<UUID>`.
    public let url: URL

    /// Creates the folder, with a new UUID in its name so concurrent tests never share one.
    ///
    /// - Throws: the `FileManager` error when the folder cannot be created.
    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("weightpack-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the folder; nothing is created.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Names of everything in the folder, hidden files included, sorted.
    ///
    /// - Throws: the `FileManager` error when the folder cannot be listed.
    public func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    /// Deletes the folder and everything in it; errors are ignored.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}
