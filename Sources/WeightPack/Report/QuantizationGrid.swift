/// The values an int8 stage can decode to, for one row: `code × scale` for codes −127…127 (255 levels).
///
/// Per channel, every row has its own scale; the grid described is the row with the largest scale, which spans
/// the tensor's whole range. Scales are derived from the decoded values as `max|row| / 127`, which is exact for
/// every row the quantizer writes with a normal scale: its largest element decodes to ±127 × scale
/// (docs/FORMAT.md §5.1).
public struct QuantizationGrid: Sendable, Equatable {
    /// `per_channel` or `per_tensor`.
    public var granularity: String
    /// The distance between adjacent levels of the row described: its scale.
    public var scale: Double
    /// Codes run from −`maximumCode` to `maximumCode` (127 for int8).
    public var maximumCode: Int
    /// The row described (0-based, the one with the largest scale); `nil` per tensor.
    public var row: Int?
    /// Number of scales in the tensor (1 per tensor).
    public var rows: Int
    /// The smallest non-zero scale over the rows.
    public var smallestScale: Double
    /// The median scale over the rows.
    public var medianScale: Double

    /// Levels in the grid: `2 × maximumCode + 1`.
    public var levelCount: Int { 2 * maximumCode + 1 }

    /// Creates a grid description.
    public init(
        granularity: String, scale: Double, maximumCode: Int, row: Int?, rows: Int, smallestScale: Double,
        medianScale: Double
    ) {
        self.granularity = granularity
        self.scale = scale
        self.maximumCode = maximumCode
        self.row = row
        self.rows = rows
        self.smallestScale = smallestScale
        self.medianScale = medianScale
    }

    /// The int8 grid implied by each row's largest decoded magnitude; `nil` when every row is zero.
    /// - Complexity: O(rows log rows).
    static func int8(rowMaxima: [Double], granularity: String) -> QuantizationGrid? {
        let scales = rowMaxima.map { $0 / 127 }
        guard let largest = scales.indices.max(by: { scales[$0] < scales[$1] }), scales[largest] > 0 else {
            return nil
        }
        let sorted = scales.sorted()
        return QuantizationGrid(
            granularity: granularity, scale: scales[largest], maximumCode: 127,
            row: granularity == "per_tensor" ? nil : largest, rows: scales.count,
            smallestScale: sorted.first { $0 > 0 } ?? 0, medianScale: sorted[sorted.count / 2])
    }
}
