import Foundation
import TensorCore
import Transforms

/// The `int8` stage's bytes split back into scales and codes by reading the layout of docs/FORMAT.md §5.1
/// directly, without the decoder under test.
struct Int8Layout {
    var rows: Int
    var columns: Int
    var scales: [Float]
    var codes: [Int8]

    enum LayoutError: Error {
        case missingParameter(String)
        case wrongByteCount(Int)
    }

    init(_ output: StageOutput) throws {
        guard let rows = output.parameters["rows"].flatMap(Int.init) else { throw LayoutError.missingParameter("rows") }
        guard let columns = output.parameters["columns"].flatMap(Int.init) else {
            throw LayoutError.missingParameter("columns")
        }
        let bytes = [UInt8](output.bytes)
        guard bytes.count == 4 * rows + rows * columns else { throw LayoutError.wrongByteCount(bytes.count) }
        var reader = ByteReader(bytes)
        self.rows = rows
        self.columns = columns
        scales = try (0..<rows).map { _ in Float(bitPattern: try reader.readUInt32LE()) }
        codes = bytes[(4 * rows)...].map { Int8(bitPattern: $0) }
    }

    /// The elements of row `row`, as codes.
    func codes(ofRow row: Int) -> ArraySlice<Int8> { codes[(row * columns)..<((row + 1) * columns)] }
}
