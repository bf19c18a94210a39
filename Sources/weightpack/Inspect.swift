import ArgumentParser
import Foundation
import WeightPack

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a file's tensors with their sizes, ratios and bits per weight.")

    @Argument(help: "The file or folder to inspect (safetensors, sharded safetensors, NPY, NPZ, GGUF, raw or .wpk).")
    var file: String

    @Flag(help: "Print JSON (schema weightpack.inspect/1, see docs/INSPECT-JSON.md).")
    var json = false

    @Flag(help: "Print byte counts as exact integers.")
    var bytes = false

    @Option(help: "Group rows: layer, dtype, stage or prefix:N (the first N dot-separated name parts).")
    var groupBy: String?

    @Option(help: "Order rows: size, ratio, bpw or name (default: file order).")
    var sort: String?

    @Option(help: "Show only the first N rows.")
    var top: Int?

    @OptionGroup var raw: RawOptions

    func validate() throws {
        if let groupBy, TensorGrouping(parsing: groupBy) == nil {
            throw ValidationError("--group-by must be layer, dtype, stage or prefix:N; got '\(groupBy)'.")
        }
        if let sort, InspectionSort(rawValue: sort.lowercased()) == nil {
            throw ValidationError("--sort must be size, ratio, bpw or name; got '\(sort)'.")
        }
        if let top, top < 1 { throw ValidationError("--top must be at least 1; got \(top).") }
    }

    func run() throws {
        let inspection = try Inspector.inspect(path: file, raw: try raw.inputOptions())
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(inspection), as: UTF8.self))
        } else {
            let colour = isatty(STDOUT_FILENO) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
            print(
                inspection.renderTable(
                    InspectionTableOptions(
                        exactBytes: bytes, sort: sort.flatMap { InspectionSort(rawValue: $0.lowercased()) }, top: top,
                        grouping: groupBy.flatMap(TensorGrouping.init(parsing:)), colour: colour)))
        }
    }
}
