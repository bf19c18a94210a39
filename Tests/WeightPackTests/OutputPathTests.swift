import Foundation
import TestSupport
import Testing

@testable import WeightPack

struct OutputPathTests {
    @Test func aDistinctOutputIsAccepted() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data([1]).write(to: URL(fileURLWithPath: folder.path("in.safetensors")))
        try OutputPath.check(folder.path("out.wpk"), against: [folder.path("in.safetensors")], requiredExtension: "wpk")
        try OutputPath.check(folder.path("out.wpk"), against: [], requiredExtension: "wpk")
    }

    @Test func anOutputEqualToAnyInputIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("b.safetensors")
        let error = #expect(throws: WeightPackError.self) {
            try OutputPath.check(
                folder.url.path + "/x/../b.safetensors", against: [folder.path("a.safetensors"), input],
                requiredExtension: "safetensors")
        }
        #expect(error?.code == .outputIsInput)
        #expect(error?.message.contains("'\(input)'") == true)
        #expect(error?.message.contains("choose another output path") == true)
    }

    @Test func anOutputThatIsAFolderIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.path("sub.wpk"), withIntermediateDirectories: false)
        let error = #expect(throws: WeightPackError.self) {
            try OutputPath.check(folder.path("sub.wpk"), against: [], requiredExtension: "wpk")
        }
        #expect(error?.code == .invalidOutput)
        #expect(error?.message.contains("is a folder") == true)
    }

    @Test func anEmptyOutputPathIsRefused() {
        let error = #expect(throws: WeightPackError.self) {
            try OutputPath.check("", against: [], requiredExtension: "wpk")
        }
        #expect(error?.code == .invalidOutput)
    }

    @Test(arguments: [("out.safetensors", "wpk"), ("out.wpk", "safetensors"), ("out", "wpk")])
    func anOutputWithTheWrongExtensionIsRefused(name: String, required: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let error = #expect(throws: WeightPackError.self) {
            try OutputPath.check(folder.path(name), against: [], requiredExtension: required)
        }
        #expect(error?.code == .invalidOutput)
        #expect(error?.message.contains("*.\(required)") == true)
    }

    @Test func theInputIsRecognisedBeforeTheExtensionIsChecked() throws {
        // The output names the input and has the wrong extension: the more useful error, outputIsInput, wins.
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try Data([1]).write(to: URL(fileURLWithPath: input))
        let error = #expect(throws: WeightPackError.self) {
            try OutputPath.check(input, against: [input], requiredExtension: "wpk")
        }
        #expect(error?.code == .outputIsInput)
        #expect(error?.path == input)
    }

    @Test func theExtensionIsCaseInsensitive() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try OutputPath.check(folder.path("OUT.WPK"), against: [], requiredExtension: "wpk")
        try OutputPath.check(folder.path("out.SafeTensors"), against: [], requiredExtension: "safetensors")
    }
}
