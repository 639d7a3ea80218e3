import Foundation
import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

extension Importer {
    /// Parses an input as ``run(paths:)`` parses a file, without storing anything: framed by the
    /// format (lines, one document, CSV records) with the same limits, rejects, held-back calls and
    /// prices.
    ///
    /// - Parameters:
    ///   - source: the bytes (wrap gzip data in a ``GzipByteSource``).
    ///   - format: the format to read it as.
    ///   - settings: the importer settings.
    ///   - prices: the book that prices the calls.
    ///   - bufferSize: the line reader's first buffer size (it grows as lines need).
    public static func parse(_ source: any ByteSource, format: any FormatImporter.Type,
                             settings: ImporterSettings = ImporterSettings(), prices: PriceBook = .empty,
                             bufferSize: Int = 4 << 20) -> ParsedInput {
        let reader = LineReader(source: source, bufferSize: max(16, bufferSize))
        // One batch: the parser puts it once, at the end, so the queue never blocks on this thread.
        let queue = BoundedQueue<Batch>(capacity: 1)
        parse(reader: reader, format: format, settings: settings, prices: prices, linesPerBatch: .max,
              prepareCalls: false, into: queue)
        var out = ParsedInput(items: [], prices: [], linesDone: 0, heldBackLastLine: false, readError: nil)
        var resolver = PriceBook.Resolver(prices)
        while let batch = queue.take() {
            out.items += batch.items
            for item in batch.items {
                if case .call(let call, _) = item { out.prices.append(PriceQuote.of(call, in: &resolver)) } else { out.prices.append(nil) }
            }
            out.linesDone = batch.linesDone
            out.heldBackLastLine = out.heldBackLastLine || batch.heldBackLastLine
            if let e = batch.readError { out.readError = e }
        }
        return out
    }
}

/// What parsing one input yields, before anything is stored.
public struct ParsedInput: Sendable {
    /// Calls, provider rows and rejects, in input order, then anything held back until the end.
    public var items: [ImportItem]
    /// The price of each item (nil for rejects, provider rows and unpriced calls).
    public var prices: [PriceQuote?]
    /// The last line consumed for good.
    public var linesDone: Int
    /// True when a cut-off last line was kept back (it is read again once the file grows).
    public var heldBackLastLine: Bool
    /// Why reading stopped early (a document too large, damaged gzip data), or nil.
    public var readError: String?
}

