// swift-tools-version: 6.0
// Fuzz targets for TokenLedger's parsers (libFuzzer). They only link with the sanitizer flags, so they
// live apart from the main package; build and run them with `scripts/fuzz` (see docs/reliability.md).
import Foundation
import PackageDescription

/// The main package is the folder above; SwiftPM names a path dependency after its folder.
let mainPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "TokenLedgerFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "tokenledger-fuzz",
            dependencies: [.product(name: "TokenLedger", package: mainPackage)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
