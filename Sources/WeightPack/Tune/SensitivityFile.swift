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
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw WeightPackError(.invalidOption, "not a readable sensitivity file: \(error)", path: path)
        }
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
