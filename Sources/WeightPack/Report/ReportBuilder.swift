import Formats
import Foundation
import TensorCore
import Transforms

/// Gathers a ``ModelReport`` and writes it as one HTML file.
public enum ReportBuilder {
    /// Inspects `path`, compares it with `referencePath` when given (see ``Verifier``), and makes histograms of
    /// its largest floating-point tensors.
    ///
    /// Histograms stream: one tensor is decoded at a time (the file's, then the reference's), scanned once, and
    /// released; at most `options.sampleLimit` elements of each are binned.
    /// - Throws: `WeightPackError` when a file is unreadable or malformed, or a tensor's data is damaged.
    /// - Complexity: O(total elements) for the comparison, O(n) per histogram tensor; deterministic.
    public static func build(path: String, referencePath: String? = nil, options: ReportOptions = ReportOptions())
        throws(WeightPackError) -> ModelReport
    {
        let inspection = try Inspector.inspect(path: path)
        let source = try openTensorSource(path: path)
        var report = ModelReport(inspection: inspection, options: options)
        var reference: (any TensorSource)?
        if let referencePath {
            let opened = try openTensorSource(path: referencePath)
            reference = opened
            report.referencePath = referencePath
            report.referenceFileBytes = opened.fileByteCount
            report.verification = try Verifier.verify(referencePath: referencePath, candidatePath: path)
        }
        report.histograms = try histograms(of: source, rows: inspection.tensors, reference: reference, options: options)
        return report
    }

    /// Builds the report (``build(path:referencePath:options:)``) and writes its HTML to `outputPath` atomically:
    /// a temporary file beside it, renamed into place when complete.
    /// - Returns: the bytes written.
    /// - Throws: `WeightPackError.Code.invalidOutput` when `outputPath` is not a `.html` file name, `.outputIsInput`
    ///   when it names an input (both checked before any work); read and write errors as `WeightPackError`.
    @discardableResult
    public static func write(
        path: String, referencePath: String? = nil, outputPath: String, options: ReportOptions = ReportOptions()
    ) throws(WeightPackError) -> Int {
        let inputs = [path] + (referencePath.map { [$0] } ?? [])
        try OutputPath.check(outputPath, against: inputs, requiredExtension: "html")
        let bytes = Data(try build(path: path, referencePath: referencePath, options: options).html().utf8)
        do {
            let writer = try AtomicFileWriter(path: outputPath)
            try writer.write(bytes)
            try writer.commit()
        } catch {
            throw WeightPackError(wrapping: error, path: outputPath)
        }
        return bytes.count
    }

    /// Histograms of the `options.histogramCount` largest floating-point tensors, largest first.
    private static func histograms(
        of source: any TensorSource, rows: [InspectionRow], reference: (any TensorSource)?, options: ReportOptions
    ) throws(WeightPackError) -> [WeightHistogram] {
        let infos = source.tensorInfos
        let counts = infos.map { (try? $0.shape.elementCount()) ?? 0 }
        let chosen = infos.indices.filter { infos[$0].dtype.isFloatingPoint && counts[$0] > 0 }
            .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
            .prefix(max(0, options.histogramCount))
        let referenceInfos = Dictionary(
            (reference?.tensorInfos ?? []).map { (TensorNameKey($0.name), $0) }, uniquingKeysWith: { first, _ in first }
        )
        var histograms: [WeightHistogram] = []
        for index in chosen {
            let info = infos[index]
            guard let row = rows.indices.contains(index) && rows[index].name == info.name ? rows[index] : nil else {
                continue
            }
            // The grid is drawn for symmetric int8 per channel or per tensor, the first stage of the chain.
            let int8 = info.stages.first.flatMap { stage in
                stage.name == IntegerQuantizer.stageName && stage.parameters["format"] == "int8"
                    && stage.parameters["mode"] == "sym"
                    && ["per_channel", "per_tensor"].contains(stage.parameters["granularity"] ?? "") ? stage : nil
            }
            let decoded = TensorScan(
                try source.decodedTensor(info), sampleLimit: options.sampleLimit,
                rows: int8.flatMap { $0.parameters["rows"] }.flatMap { Int($0) })
            var notes: [String] = []
            if let storage = info.storageType {
                notes.append(
                    "Stored as GGML \(storage): each block of elements has its own scale, so there is no single "
                        + "grid to mark; the values shown are the decoded ones.")
            }
            var referenceScan: TensorScan?
            if let reference {
                if let match = referenceInfos[TensorNameKey(info.name)], match.shape == info.shape {
                    referenceScan = TensorScan(try reference.decodedTensor(match), sampleLimit: options.sampleLimit)
                } else {
                    notes.append("The reference has no tensor of this name and shape: decoded values only.")
                }
            }
            let grid = int8.flatMap { stage in
                QuantizationGrid.int8(
                    rowMaxima: decoded.rowMaxima, granularity: stage.parameters["granularity"] ?? "per_tensor")
            }
            histograms.append(
                WeightHistogram(
                    row: row, decoded: decoded, reference: referenceScan, binCount: options.binCount, grid: grid,
                    notes: notes))
        }
        return histograms
    }
}
