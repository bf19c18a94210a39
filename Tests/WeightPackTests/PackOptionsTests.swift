import Testing
import WeightPack

struct PackOptionsTests {
    static let valid: [(String, PackOptions.Codec)] = [
        ("zstd", .zstd(level: 3)), ("zstd:19", .zstd(level: 19)), ("zstd:-5", .zstd(level: -5)),
        ("ZSTD:1", .zstd(level: 1)),
        ("lz4", .lz4), ("none", .none),
    ]

    @Test(arguments: valid)
    func codecParsesItsSpellings(text: String, expected: PackOptions.Codec) throws {
        #expect(try PackOptions.Codec(parsing: text) == expected)
    }

    @Test(arguments: ["zstd:x", "zstd:", "zstd:1:2", "zstd:3.5"])
    func codecRejectsANonIntegerZstdLevel(text: String) throws {
        let error = #expect(throws: WeightPackError.self) { try PackOptions.Codec(parsing: text) }
        #expect(error?.code == .invalidOption)
        #expect(error?.message.contains("'\(text)'") == true, "\(error?.message ?? "")")
    }

    @Test(arguments: ["gzip", "", "lz4:9", "none:1", "zstd19", ":3"])
    func codecRejectsUnknownNames(text: String) throws {
        let error = #expect(throws: WeightPackError.self) { try PackOptions.Codec(parsing: text) }
        #expect(error?.code == .invalidOption)
        #expect(error?.message.contains("'\(text)'") == true)
        #expect(error?.message.contains("use zstd, zstd:LEVEL, lz4 or none") == true, "\(error?.message ?? "")")
    }

    @Test func defaultsAreInt8AndZstdLevel3() throws {
        let options = try PackOptions()
        #expect(options.recipe.description == "quant:int8|zstd:3")
        #expect(options.rules.isEmpty)
        #expect(options.minimumQuantizedDimensions == 2)
        #expect(PackOptions.Quantization(rawValue: "int8") == .int8)
        #expect(PackOptions.Quantization(rawValue: "int4") == nil)
    }
}
