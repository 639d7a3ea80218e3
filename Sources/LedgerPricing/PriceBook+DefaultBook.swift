import Foundation
import LedgerIngest
import LedgerValues

extension PriceBook {
    /// The file name of the curated price book shipped with TokenLedger.
    public static let defaultBookFileName = "default-prices.yaml"

    /// The folder SwiftPM copies the library's resources into, beside the built products.
    static let resourceBundleName = "TokenLedger_LedgerPricing"

    /// The curated price book shipped with TokenLedger (`Sources/LedgerPricing/Resources/default-prices.yaml`).
    ///
    /// - Throws: ``PriceBookFileError`` when the file cannot be found (the message lists every place
    ///   searched) or does not parse.
    public static func defaultBook() throws(PriceBookFileError) -> PriceBook {
        try PriceBookFile.load(path: defaultBookURL().path).book
    }

    /// Where the shipped price book is.
    ///
    /// SwiftPM's generated `Bundle.module` stops the process when its bundle is missing, so the resource is
    /// looked up by hand, first match wins:
    /// 1. `TokenLedger_LedgerPricing.resources/` (Linux) or `TokenLedger_LedgerPricing.bundle/` (macOS, flat or
    ///    with `Contents/Resources/`) in the running executable's folder (symbolic links resolved) and up to
    ///    four folders above it, which covers `.build/<config>/tokenledger` and test bundles;
    /// 2. the same beside `Bundle.main`'s bundle and resource folders;
    /// 3. the source tree this library was built from (`#filePath`).
    public static func defaultBookURL() throws(PriceBookFileError) -> URL {
        let candidates = defaultBookCandidates()
        let fm = FileManager.default
        if let found = candidates.first(where: { fm.isReadableFile(atPath: $0.path) }) { return found }
        throw PriceBookFileError(
            file: defaultBookFileName, line: nil, key: "",
            message: "the shipped price book was not found; looked in: " + candidates.map(\.path).joined(separator: ", "))
    }

    static func defaultBookCandidates(sourceFile: String = #filePath) -> [URL] {
        var folders: [URL] = []
        func addWithParents(_ start: URL, levels: Int) {
            var dir = start.standardizedFileURL
            for _ in 0...levels {
                if !folders.contains(dir) { folders.append(dir) }
                let parent = dir.deletingLastPathComponent()
                if parent == dir { break }
                dir = parent
            }
        }
        if let exe = Bundle.main.executableURL {
            addWithParents(exe.resolvingSymlinksInPath().deletingLastPathComponent(), levels: 4)
        }
        if let argv0 = CommandLine.arguments.first, argv0.contains("/") {
            let url = URL(fileURLWithPath: argv0, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            addWithParents(url.resolvingSymlinksInPath().deletingLastPathComponent(), levels: 4)
        }
        addWithParents(Bundle.main.bundleURL, levels: 0)
        if let resources = Bundle.main.resourceURL { addWithParents(resources, levels: 0) }

        var out: [URL] = []
        for dir in folders {
            out.append(dir.appendingPathComponent("\(resourceBundleName).resources/\(defaultBookFileName)"))
            out.append(dir.appendingPathComponent("\(resourceBundleName).bundle/Contents/Resources/\(defaultBookFileName)"))
            out.append(dir.appendingPathComponent("\(resourceBundleName).bundle/\(defaultBookFileName)"))
        }
        let sourceDir = URL(fileURLWithPath: sourceFile).deletingLastPathComponent()
        out.append(sourceDir.appendingPathComponent("Resources/\(defaultBookFileName)"))
        return out
    }
}
