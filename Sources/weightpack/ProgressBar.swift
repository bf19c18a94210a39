import Foundation
import WeightPack

/// Draws a progress line on stderr (tensors, bytes, throughput, ETA), only when stderr is a terminal, the work
/// is large enough to be worth it, and `--quiet` is not set.
final class ProgressBar {
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let enabled: Bool
    private var drew = false

    /// A bar for work over `minimumBytes` (50 MB by default) when stderr is a TTY.
    init(quiet: Bool, minimumBytes: Int = 50_000_000) {
        enabled = !quiet && isatty(STDERR_FILENO) == 1
        self.minimumBytes = minimumBytes
    }

    private let minimumBytes: Int

    /// The handler to pass to the library, or `nil` when the bar is off.
    var handler: ProgressHandler? {
        enabled ? { [self] update in draw(update) } : nil
    }

    private func draw(_ update: ProgressUpdate) {
        guard update.byteCount >= minimumBytes else { return }
        let now = Date()
        let finished = update.tensorsDone == update.tensorCount
        guard finished || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 1e-3)
        let fraction = update.byteCount == 0 ? 1 : Double(update.bytesDone) / Double(update.byteCount)
        let width = 20
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let rate = Double(update.bytesDone) / elapsed
        let remaining = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let line =
            "\r[\(bar)] \(update.tensorsDone)/\(update.tensorCount) tensors, "
            + "\(HumanFormat.bytes(update.bytesDone))/\(HumanFormat.bytes(update.byteCount)), "
            + "\(HumanFormat.bytes(Int(rate)))/s, ETA \(HumanFormat.fixed(remaining, digits: 1)) s"
        FileHandle.standardError.write(Data((line + "\u{1B}[K" + (finished ? "\n" : "")).utf8))
        drew = !finished
    }

    /// Ends the line if the bar was left unfinished (e.g. on an error).
    func finish() {
        if drew { FileHandle.standardError.write(Data("\n".utf8)) }
        drew = false
    }
}
