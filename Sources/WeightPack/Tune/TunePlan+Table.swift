import Foundation

extension TunePlan {
    /// The plan as a table: each tensor's recipe, stored bytes, bits per weight and SNR, then the totals
    /// (and the predicted output error when sensitivities were given).
    public func renderTable(predictedOutputError: Double? = nil) -> String {
        var table = TextTable(columns: [
            .init("tensor", width: 44, alignLeft: true),
            .init("recipe", width: max(6, tensors.map(\.recipe.count).max() ?? 0), alignLeft: true),
            .init("bytes", width: 10), .init("bpw", width: 6), .init("SNR dB", width: 7),
        ])
        for entry in tensors {
            let bits = entry.elements == 0 ? 0 : 8 * Double(entry.storedBytes) / Double(entry.elements)
            table.rows.append([
                entry.name, entry.recipe, String(entry.storedBytes), HumanFormat.fixed(bits, digits: 3),
                entry.snrDecibels.map { HumanFormat.fixed($0, digits: 2) } ?? "exact",
            ])
        }
        let snrs = tensors.filter(\.tuned).compactMap(\.snrDecibels).sorted()
        var lines = [table.render(), ""]
        let allElements = tensors.reduce(0) { $0 + $1.elements }
        let allBits = allElements == 0 ? 0 : 8 * Double(storedBytes) / Double(allElements)
        lines.append(
            "budget: \(budget); tensor data \(HumanFormat.bytes(storedBytes)); "
                + (tensors.contains(where: \.tuned)
                    ? "\(HumanFormat.fixed(tunedBitsPerWeight, digits: 3)) bits per weight of the tensors with lossy stages, "
                    : "") + "\(HumanFormat.fixed(allBits, digits: 3)) bits per weight overall")
        if let minimum = snrs.first {
            lines.append(
                "SNR over tuned tensors: min \(HumanFormat.fixed(minimum, digits: 2)) dB, median \(HumanFormat.fixed(snrs[snrs.count / 2], digits: 2)) dB"
            )
        }
        if let predictedOutputError {
            lines.append("predicted output error (1 − cos): \(predictedOutputError)")
        }
        return lines.joined(separator: "\n")
    }
}
