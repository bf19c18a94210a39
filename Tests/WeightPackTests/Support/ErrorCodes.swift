import WeightPack

extension WeightPackError {
    /// The code of the error that started it: the wrapped module error's `code` (`FormatError`, `TransformError`,
    /// `CodecError`: each a struct with a `code` whose description is its raw value), or this error's own code
    /// when it wraps nothing.
    var originalCode: String {
        guard let underlying,
            let code = Mirror(reflecting: underlying).children.first(where: { $0.label == "code" })?.value
        else { return code.rawValue }
        return String(describing: code)
    }
}
