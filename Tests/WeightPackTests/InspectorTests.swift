import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

struct InspectorTests {
    /// A weight whose int8 codes compress well, so that both stages apply, plus the small model.
    private static func tensors() throws -> [Tensor] {
        [try TestTensors.floats("steps.weight", [64, 64], (0..<4096).map { Float($0 % 64) - 32 })]
            + (try TestTensors.smallModel())
    }

    @Test func wpkRowsListStageNamesAndBytesAfterEachStage() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        let packed = folder.path("model.wpk")
        try TestTensors.writeSafetensors(try Self.tensors(), metadata: ["format": "pt"], to: input)
        try Packer.pack(inputPath: input, outputPath: packed, options: PackOptions())
        let inspection = try Inspector.inspect(path: packed)

        #expect(inspection.format == "wpk")
        #expect(inspection.path == packed)
        #expect(inspection.metadataCount == 1)
        #expect(inspection.fileBytes == (try FileManager.default.attributesOfItem(atPath: packed)[.size] as? Int))
        let steps = try #require(inspection.tensors.first { $0.name == "steps.weight" })
        #expect(steps.stages == ["quant", "zstd"])
        #expect(steps.bytesAfterStage.count == 2)
        // The payload after `quant`: a table of two section lengths, 64 scales and 4096 codes (§5.1, §5.3).
        let afterQuant = 4 + 2 * 8 + 64 * 4 + 4096
        #expect(steps.bytesAfterStage.first == afterQuant, "section table, 64 scales and 4096 codes")
        #expect(steps.bytesAfterStage.last == steps.storedBytes)
        #expect(steps.storedBytes < afterQuant)
        #expect(steps.originalBytes == 4096 * 4 && steps.elementCount == 4096 && steps.dtype == "f32")
        #expect(steps.shape == [64, 64])

        let records = try WPKReader(path: packed).index.tensors
        #expect(inspection.tensors.map(\.name) == records.map(\.name))
        for (row, record) in zip(inspection.tensors, records) {
            #expect(row.stages == record.stages.map(\.name))
            #expect(row.bytesAfterStage == record.stages.map(\.outputByteCount))
            #expect(row.storedBytes == record.length)
        }
        #expect(inspection.overheadBytes == inspection.fileBytes - inspection.totalStoredBytes)
    }

    @Test func safetensorsRowsHaveNoStages() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: input)
        let inspection = try Inspector.inspect(path: input)
        #expect(inspection.format == "safetensors")
        #expect(inspection.tensors.count == 4)
        for row in inspection.tensors {
            #expect(row.stages.isEmpty && row.bytesAfterStage.isEmpty)
            #expect(row.storedBytes == row.originalBytes)
            #expect(row.ratio == 1)
        }
        #expect(inspection.totalElements == 16 * 24 + 24 + 40 + 8)
    }

    @Test func inspectionJSONHasTheSchemaAndTotals() throws {
        let rows = [
            InspectionRow(
                name: "w", dtype: "f32", shape: [4, 8], elementCount: 32, originalBytes: 128, storedBytes: 32,
                stages: ["int8"], bytesAfterStage: [48]),
            InspectionRow(
                name: "b", dtype: "f32", shape: [8], elementCount: 8, originalBytes: 32, storedBytes: 32, stages: [],
                bytesAfterStage: []),
        ]
        let inspection = Inspection(path: "m.wpk", format: "wpk", fileBytes: 400, metadataCount: 2, tensors: rows)
        let data = try JSONEncoder().encode(inspection)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])

        #expect(json["schema"] as? String == "weightpack.inspect/1")
        #expect(json["file_bytes"] as? Int == 400)
        #expect(json["metadata_entries"] as? Int == 2)
        let totals = try #require(json["totals"] as? [String: Any])
        #expect(totals["tensors"] as? Int == 2)
        #expect(totals["elements"] as? Int == 40)
        #expect(totals["original_bytes"] as? Int == 160)
        #expect(totals["stored_bytes"] as? Int == 64)
        #expect(totals["overhead_bytes"] as? Int == 336)
        #expect(totals["ratio"] as? Double == 2.5)
        #expect(totals["bits_per_weight"] as? Double == 80)
        let first = try #require((json["tensors"] as? [[String: Any]])?.first)
        #expect(first["bytes_after_stage"] as? [Int] == [48])
        #expect(first["bits_per_weight"] as? Double == 8)
        #expect(first["ratio"] as? Double == 4)
        #expect(try JSONDecoder().decode(Inspection.self, from: data) == inspection)
    }

    @Test func tableListsEachTensorAndTheStageChains() throws {
        let row = InspectionRow(
            name: "encoder.layer.11.attention.output.dense.weight", dtype: "f32", shape: [768, 768],
            elementCount: 589_824,
            originalBytes: 2_359_296, storedBytes: 500_000, stages: ["int8", "zstd"],
            bytesAfterStage: [592_896, 500_000])
        let table = Inspection(path: "m.wpk", format: "wpk", fileBytes: 501_000, metadataCount: 0, tensors: [row])
            .renderTable()
        // Columns: tensor 29, dtype 5, shape 10, original 9, stored 9, ratio 5, bpw 5, then the chain.
        #expect(
            table == """
                m.wpk
                wpk, 489.3 KiB, 1 tensor, 0 metadata entries
                tensor                        dtype shape       original    stored ratio   bpw chain
                ----------------------------- ----- ---------- --------- --------- ----- ----- -----------
                enc.lay.11.att.out.den.weight f32   768×768     2.25 MiB 488.3 KiB  4.72  6.78 int8 > zstd
                total: 589824 elements, 6.795 bits per weight (whole file)
                tensor data: 488.3 KiB stored of 2.25 MiB, ratio 4.72
                header, index and padding: 1000 B
                  int8 > zstd: 1 tensor, 488.3 KiB
                """)
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") })
        // Everything but the chain column (a space and 11 characters here) fits 80 columns.
        #expect(lines.allSatisfy { $0.count <= 80 + 12 })
    }

    @Test func tableCountsInThePluralAndGroupsTensorsByStageChain() throws {
        let rows = [
            InspectionRow(
                name: "w", dtype: "f32", shape: [4, 8], elementCount: 32, originalBytes: 128, storedBytes: 40,
                stages: ["int8"], bytesAfterStage: [40]),
            InspectionRow(
                name: "v", dtype: "f32", shape: [4, 8], elementCount: 32, originalBytes: 128, storedBytes: 44,
                stages: ["int8"], bytesAfterStage: [44]),
            InspectionRow(
                name: "b", dtype: "f32", shape: [8], elementCount: 8, originalBytes: 32, storedBytes: 32, stages: [],
                bytesAfterStage: []),
        ]
        let table = Inspection(path: "dir/m.wpk", format: "wpk", fileBytes: 2048, metadataCount: 1, tensors: rows)
            .renderTable(exactBytes: true)
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[0] == "dir/m.wpk")
        #expect(lines[1] == "wpk, 2048 B, 3 tensors, 1 metadata entry")
        #expect(lines[4] == "w                             f32   4×8            128 B      40 B  3.20 10.00 int8")
        #expect(
            Array(lines.suffix(5)) == [
                "total: 72 elements, 227.556 bits per weight (whole file)",
                "tensor data: 116 B stored of 288 B, ratio 2.48",
                "header, index and padding: 1932 B",
                "  int8: 2 tensors, 84 B",
                "  stored as is: 1 tensor, 32 B",
            ])
        let human = Inspection(path: "m.wpk", format: "wpk", fileBytes: 2048, metadataCount: 2, tensors: rows)
            .renderTable()
        #expect(human.split(separator: "\n")[1] == "wpk, 2.00 KiB, 3 tensors, 2 metadata entries")
    }

    @Test func anUnknownFormatIsRefusedNamingTheFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("weights.bin")
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: WeightPackError.self) { try Inspector.inspect(path: path) }
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.description.hasPrefix(path) == true)
    }

    @Test func formatIsDetectedByContentWhenTheExtensionSaysNothing() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let safetensors = folder.path("a.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: safetensors)
        try Packer.pack(inputPath: safetensors, outputPath: folder.path("a.wpk"), options: PackOptions())
        try FileManager.default.copyItem(atPath: safetensors, toPath: folder.path("a.bin"))
        try FileManager.default.copyItem(atPath: folder.path("a.wpk"), toPath: folder.path("b.bin"))
        #expect(try ModelFormat.detect(path: folder.path("a.bin")) == .safetensors)
        #expect(try ModelFormat.detect(path: folder.path("b.bin")) == .wpk)
        #expect(try Inspector.inspect(path: folder.path("b.bin")).format == "wpk")
    }
}
