import Foundation
import Testing
@testable import LedgerValues
@testable import LedgerIngest
@testable import LedgerPricing
@testable import LedgerAnalysis
@testable import LedgerStore
@testable import LedgerReport
@testable import LedgerSample
@testable import TokenLedger

/// The cloud-bill fixtures (`fixtures/cloud`, described in its README).
enum CloudFixtures {
    static var root: URL { PricingFixtures.packageRoot.appendingPathComponent("fixtures/cloud") }
    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }
    static func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: url(path))) }

    static func items<F: FormatImporter>(_ format: F.Type, file: String, settings: ImporterSettings = ImporterSettings()) throws -> [ImportItem] {
        try ProviderFixtures.items(format, try bytes(file), settings: settings)
    }

    static func skipped(_ items: [ImportItem]) -> [(why: String, line: Int)] {
        items.compactMap { if case .skipped(let why, let line) = $0 { (why, line) } else { nil } }
    }

    static func calls(_ items: [ImportItem]) -> [(call: CallRecord, line: Int)] {
        items.compactMap { if case .call(let c, let line) = $0 { (c, line) } else { nil } }
    }

    static func detected(_ path: String) throws -> String? {
        let data = try Data(contentsOf: url(path))
        var bytes = Array(data)
        if GzipByteSource.looksLikeGzip(data.withUnsafeBytes { $0 }) {
            let source = try GzipByteSource(source: MemoryByteSource(bytes, chunk: 4096), path: path)
            bytes = []
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
            defer { buffer.deallocate() }
            let n = try source.read(into: buffer)
            bytes = Array(buffer[0..<n])
        }
        return ImportFormats.detect(InputSample(bytes: Array(bytes.prefix(64 * 1024)), name: path))?.formatName
    }

    static func importFiles(_ files: [String], into db: Database, settings: ImporterSettings = ImporterSettings()) throws -> ImportSummary {
        let book = try PriceStore(db: db).loadBook()
        var options = ImportOptions(format: nil)
        options.settings = settings
        let importer = try Importer(database: db, prices: book, options: options)
        return try importer.run(paths: files.map { url($0).path })
    }
}
