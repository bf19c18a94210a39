import TensorCore

/// One tensor's entry in a GGUF file (`gguf_tensor_info_t`, GGUF spec "File Structure").
///
/// GGML orders dimensions innermost first: `dimensions` (`ne[]`) is the reverse of the row-major ``shape``
/// numpy and safetensors use, so a `[rows, columns]` matrix is stored as `ne = [columns, rows]`. Blocks of a
/// quantized type run along `ne[0]`, which must therefore be a multiple of the type's block size.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's name (UTF-8).
    public var name: String
    /// The dimensions as stored, innermost first (GGML `ne[]`, at most 4).
    public var dimensions: [Int]
    /// The dimensions row-major, outermost first: `dimensions` reversed. `[]` (one element) when `n_dims` is 0.
    public var shape: Shape
    /// The GGML type of the elements.
    public var type: GGMLType
    /// Byte offset of the tensor's data from the start of the data section (``GGUFHeader/dataStart``);
    /// a multiple of the file's alignment.
    public var offset: Int
    /// Bytes of the tensor's data: element count / block size × bytes per block (padding excluded).
    public var byteCount: Int

    /// Creates an entry; `shape` is `dimensions` reversed.
    public init(name: String, dimensions: [Int], type: GGMLType, offset: Int, byteCount: Int) {
        self.name = name
        self.dimensions = dimensions
        self.shape = Shape(dimensions.reversed())
        self.type = type
        self.offset = offset
        self.byteCount = byteCount
    }

    /// Number of elements: the product of the dimensions (1 when there are none). Never overflows for an entry
    /// a reader or writer produced, since both check the product.
    public var elementCount: Int { dimensions.reduce(1, *) }

    /// Bytes of data for `dimensions` (innermost first) of `type`: `ne[0]` must be a multiple of the block size.
    /// - Throws: `FormatError.Code.unknownDType` for a type without a known size;
    ///   `FormatError.Code.invalidTensorInfo` when `ne[0]` is not a multiple of the block size or a dimension is
    ///   negative; `FormatError.Code.shapeOverflow` when the element or byte count overflows `Int`.
    static func byteCount(name: String, dimensions: [Int], type: GGMLType) throws(FormatError) -> Int {
        guard let blockSize = type.blockSize, let bytesPerBlock = type.bytesPerBlock else {
            throw FormatError(
                .unknownDType, "GGML type id \(type.rawValue) is not one this reader knows, so its size is unknown",
                tensorName: name)
        }
        if let negative = dimensions.first(where: { $0 < 0 }) {
            throw FormatError(.invalidTensorInfo, "dimension \(negative) is negative", tensorName: name)
        }
        let innermost = dimensions.first ?? 1
        guard innermost % blockSize == 0 else {
            throw FormatError(
                .invalidTensorInfo,
                "ne[0] = \(innermost) is not a multiple of \(type.name)'s block size \(blockSize); ne = \(dimensions)",
                tensorName: name)
        }
        var (bytes, overflow) = (innermost / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
        var elements = 1
        for (index, size) in dimensions.enumerated() {
            let (elementProduct, elementOverflow) = elements.multipliedReportingOverflow(by: size)
            elements = elementProduct
            overflow = overflow || elementOverflow
            if index > 0 {
                let (byteProduct, byteOverflow) = bytes.multipliedReportingOverflow(by: size)
                bytes = byteProduct
                overflow = overflow || byteOverflow
            }
        }
        guard !overflow else {
            throw FormatError(
                .shapeOverflow, "ne = \(dimensions) of \(type.name) holds more elements or bytes than fit in 64 bits",
                tensorName: name)
        }
        return bytes
    }
}
