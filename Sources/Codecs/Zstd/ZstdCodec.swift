import CZstd

/// Zstandard (RFC 8878) through libzstd: one frame per payload, with the content size in the frame header
/// and no checksum (the container checksums payloads).
///
/// Stage name `"zstd"`; parameters `["level": "<n>"]`. The worker count is not recorded: it changes
/// speed and the exact bytes written, never how a payload decodes.
public struct ZstdCodec: ByteCodec {
    /// The compression levels the linked libzstd accepts, `ZSTD_minCLevel()...ZSTD_maxCLevel()`
    /// (`-131072...22` for libzstd 1.5.4). Negative levels are faster than level 1; 0 means libzstd's default (3).
    public static var levelRange: ClosedRange<Int> { Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel()) }

    /// The compression level, in ``levelRange``.
    public let level: Int
    /// Worker threads for compression (`ZSTD_c_nbWorkers`); `0` compresses on the calling thread.
    public let workers: Int

    /// `"zstd"`.
    public var name: String { "zstd" }

    /// `["level": "<level>"]`.
    public var parameters: [String: String] { ["level": String(level)] }

    /// Creates a codec.
    ///
    /// - Parameters:
    ///   - level: compression level in ``levelRange``; default 3.
    ///   - workers: compression threads, `>= 0`; default 0 (the calling thread). Used only when the linked
    ///     libzstd is built with multithreading, and capped at its maximum; otherwise ignored.
    /// - Throws: `CodecError.Code.invalidLevel` when `level` is outside ``levelRange``;
    ///   `.invalidParameter` when `workers` is negative.
    public init(level: Int = 3, workers: Int = 0) throws(CodecError) {
        let range = Self.levelRange
        guard range.contains(level) else {
            throw CodecError(
                .invalidLevel,
                "compression level \(level) is outside \(range.lowerBound)...\(range.upperBound); "
                    + "use a level in that range (3 is the default)",
                codecName: "zstd")
        }
        guard workers >= 0 else {
            throw CodecError(
                .invalidParameter, "worker count \(workers) is negative; use 0 for the calling thread",
                codecName: "zstd")
        }
        self.level = level
        self.workers = workers
    }

    /// Creates a codec from parameters recorded in a container: the inverse of ``parameters``.
    ///
    /// - Parameter parameters: `["level": "<n>"]`; a missing level means 3. No other key is accepted.
    /// - Throws: `CodecError.Code.invalidParameter` for an unknown key; `.invalidLevel` when the level is
    ///   not a decimal integer or is outside ``levelRange``.
    public init(parameters: [String: String]) throws(CodecError) {
        if let unknown = parameters.keys.sorted().first(where: { $0 != "level" }) {
            throw CodecError(
                .invalidParameter, "unknown parameter '\(unknown)'; the only zstd parameter is 'level'",
                codecName: "zstd")
        }
        guard let text = parameters["level"] else {
            try self.init()
            return
        }
        guard let level = Int(text) else {
            throw CodecError(.invalidLevel, "level '\(text)' is not a decimal integer", codecName: "zstd")
        }
        try self.init(level: level)
    }
}

extension ZstdCodec {
    /// libzstd's name for a `size_t` error result, e.g. `"Data corruption detected"`.
    static func errorName(_ result: Int) -> String {
        String(cString: ZSTD_getErrorName(result))
    }
}
