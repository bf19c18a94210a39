import ArgumentParser
import Foundation
import WeightPack

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a file's tensors with their sizes, ratios and bits per weight.")

    @Argument(help: "The file to inspect (.safetensors or .wpk).")
    var file: String

    @Flag(help: "Print JSON (schema weightpack.inspect/1, see docs/INSPECT-JSON.md).")
    var json = false

    @Flag(help: "Print byte counts as exact integers.")
    var bytes = false

    @OptionGroup var raw: RawOptions

    func run() throws {
        let inspection = try Inspector.inspect(path: file, raw: try raw.inputOptions())
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(inspection), as: UTF8.self))
        } else {
            print(inspection.renderTable(exactBytes: bytes))
        }
    }
}
