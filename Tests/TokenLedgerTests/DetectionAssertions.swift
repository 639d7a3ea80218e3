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

/// Expects `format` to claim the fixture and every other format to score below it.
func expectClaimedAlone(_ file: String, by format: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let bytes = try Data(contentsOf: ImportFixtures.root.appendingPathComponent(file))
    let sample = InputSample(bytes: Array(bytes.prefix(64 * 1024)), name: file)
    #expect(ImportFormats.detect(sample)?.formatName == format, sourceLocation: sourceLocation)
    let winner = try #require(ImportFormats.named(format), sourceLocation: sourceLocation).detect(sample)
    for other in ImportFormats.all where other.formatName != format {
        #expect(other.detect(sample) < winner, "\(other.formatName) scores \(other.detect(sample)) on \(file)",
                sourceLocation: sourceLocation)
    }
}
