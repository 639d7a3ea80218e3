#if canImport(Glibc)
import LedgerValues
import LedgerIngest
import Glibc
#endif

/// The kinds of price file `prices import` reads, told apart by content.
public enum PriceFileKind: Sendable {
    /// TokenLedger's own YAML price book.
    case priceBook
    /// LiteLLM's `model_prices_and_context_window.json`.
    case liteLLM

    /// Reads the start of a file: a JSON object with LiteLLM's per-token fields is LiteLLM's catalogue.
    public static func detect(path: String) throws -> PriceFileKind {
        let source = try FileByteSource(path: path)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        let sample = InputSample(bytes: Array(buffer[0..<n]), name: path)
        if sample.firstByte == 0x7B && (sample.contains("_cost_per_token") || sample.contains("litellm_provider")) {
            return .liteLLM
        }
        return .priceBook
    }
}
