import Formats
import Foundation

/// Reads `sens.json` as written by tools/sensitivity.py: `{"schema": "weightpack.sensitivity/1",
/// "tensors": {"name": β, ...}}` (β ≥ 0: output error 1 − cos per unit of relative weight noise ε²).
public enum SensitivityFile {
    /// β per tensor name.
    /// - Throws: `WeightPackError.Code.invalidOption` naming the file when it is unreadable, is not that schema,
    ///   or holds a β that is negative or not finite.
    public static func read(path: String) throws(WeightPackError) -> [String: Double] {
        struct File: Decodable {
            var schema: String
            var tensors: [String: Double]
        }
        let file = try UserJSONFile.decode(File.self, path: path, what: "sensitivity (weightpack.sensitivity/1)")
        guard file.schema == "weightpack.sensitivity/1" else {
            throw WeightPackError(
                .invalidOption, "schema is '\(file.schema)', not 'weightpack.sensitivity/1'", path: path)
        }
        for (name, beta) in file.tensors where !(beta.isFinite && beta >= 0) {
            throw WeightPackError(
                .invalidOption, "β of tensor '\(name)' is \(beta); it must be finite and ≥ 0", path: path)
        }
        return file.tensors
    }
}

/// Writes a small text file atomically (temporary file in the same folder, then rename).
public enum AtomicText {
    /// Writes `text` to `path`.
    /// - Throws: `WeightPackError` wrapping the I/O failure; no partial file is left.
    public static func write(_ text: String, to path: String) throws(WeightPackError) {
        do {
            let writer = try AtomicFileWriter(path: path)
            do {
                try writer.write(Data(text.utf8))
                try writer.commit()
            } catch {
                writer.abort()
                throw error
            }
        } catch { throw WeightPackError(wrapping: error, path: path) }
    }
}

/// Reads a small JSON document the user names, with errors that say what is wrong in words.
enum UserJSONFile {
    /// The decoded document.
    /// - Throws: `WeightPackError.Code.invalidOption` naming the file: it does not exist or cannot be read, is not
    ///   JSON, or lacks a field `what` needs.
    static func decode<T: Decodable>(_ type: T.Type, path: String, what: String) throws(WeightPackError) -> T {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw WeightPackError(
                .invalidOption,
                FileManager.default.fileExists(atPath: path)
                    ? "cannot read the \(what) file" : "no such \(what) file", path: path)
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch let DecodingError.keyNotFound(key, context) {
            let location = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw WeightPackError(.invalidOption, "not a \(what) file: field '\(location)' is missing", path: path)
        } catch let DecodingError.typeMismatch(_, context) {
            let location = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw WeightPackError(
                .invalidOption, "not a \(what) file: field '\(location)' has the wrong type", path: path)
        } catch {
            throw WeightPackError(.invalidOption, "not a \(what) file: it is not valid JSON", path: path)
        }
    }
}
