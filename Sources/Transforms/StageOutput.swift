import Foundation

/// What a stage's encoder produces: its bytes and the parameters its decoder needs, as recorded in the
/// container's stage chain.
public struct StageOutput: Sendable, Equatable {
    /// The encoded bytes, in the layout docs/FORMAT.md gives for the stage.
    public var bytes: Data
    /// The decoder's parameters (strings, so any container can carry them).
    public var parameters: [String: String]

    /// Creates an output.
    public init(bytes: Data, parameters: [String: String]) {
        self.bytes = bytes
        self.parameters = parameters
    }
}

extension [String: String] {
    /// The integer parameter `key`, checked to lie in `range`.
    /// - Throws: `TransformError.Code.invalidParameter` when missing, not an integer or out of range.
    func integer(_ key: String, in range: ClosedRange<Int>, stage: String, tensorName: String?) throws(TransformError)
        -> Int
    {
        guard let text = self[key], let value = Int(text), range.contains(value) else {
            throw TransformError(
                .invalidParameter,
                "stage '\(stage)' needs parameter '\(key)' as an integer in \(range.lowerBound)...\(range.upperBound); found \(self[key].map { "'\($0)'" } ?? "none")",
                tensorName: tensorName)
        }
        return value
    }
}
