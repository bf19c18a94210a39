/// A recipe's stage arguments split into bare words (`4bit`, `0.5`, `global`) and `key=value` settings, each
/// key at most once; shared by the clustering and pruning stages.
struct StageArgumentList {
    /// Bare words, in recipe order.
    private(set) var words: [String] = []
    /// `key=value` settings.
    private(set) var settings: [String: String] = [:]

    /// Splits `arguments`.
    /// - Throws: `TransformError.Code.invalidParameter` for an empty argument, an empty key or value, or a key
    ///   given twice.
    init(_ arguments: [String], stage: String) throws(TransformError) {
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                guard !argument.isEmpty else {
                    throw TransformError(.invalidParameter, "stage '\(stage)' has an empty argument")
                }
                words.append(argument)
                continue
            }
            let key = String(argument[..<equals])
            let value = String(argument[argument.index(after: equals)...])
            guard !key.isEmpty, !value.isEmpty else {
                throw TransformError(
                    .invalidParameter, "stage '\(stage)' argument '\(argument)' needs the form key=value")
            }
            guard settings[key] == nil else {
                throw TransformError(.invalidParameter, "stage '\(stage)' argument '\(key)' is given twice")
            }
            settings[key] = value
        }
    }

    /// Throws when a setting is not one of `known`.
    func requireKnownKeys(_ known: [String], stage: String) throws(TransformError) {
        for key in settings.keys.sorted() where !known.contains(key) {
            throw TransformError(
                .invalidParameter,
                "stage '\(stage)' has no argument '\(key)'; it accepts \(known.map { "'\($0)='" }.joined(separator: ", "))"
            )
        }
    }

    /// The setting `key` as one of `Choice`'s raw values, or `fallback` when absent.
    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, default fallback: Choice, stage: String)
        throws(TransformError) -> Choice where Choice.RawValue == String
    {
        guard let text = settings[key] else { return fallback }
        guard let value = Choice(rawValue: text) else {
            throw TransformError(
                .invalidParameter,
                "stage '\(stage)' argument '\(key)=\(text)' is not one of \(Choice.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))"
            )
        }
        return value
    }
}

extension [String: String] {
    /// The recorded parameter `key` as one of `Choice`'s raw values.
    /// - Throws: `TransformError.Code.invalidParameter` when it is missing or not one of them.
    func recordedChoice<Choice: RawRepresentable & CaseIterable>(
        _ key: String, as type: Choice.Type, stage: String, tensorName: String?
    ) throws(TransformError) -> Choice where Choice.RawValue == String {
        guard let text = self[key], let value = Choice(rawValue: text) else {
            throw TransformError(
                .invalidParameter,
                "stage '\(stage)' needs parameter '\(key)' as one of \(Choice.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")); found \(self[key].map { "'\($0)'" } ?? "none")",
                tensorName: tensorName)
        }
        return value
    }
}
