// swift-tools-version: 6.0
import PackageDescription

/// Release builds optimise across the library's modules as if they were one: the import's inner loop calls
/// from ingest into values, pricing and store (measured: without it the import is 15–30 % slower; docs/architecture.md).
let crossModule: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "TokenLedger",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TokenLedger", targets: ["TokenLedger"]),
        .executable(name: "tokenledger", targets: ["tokenledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // The library, one way: values ← ingest ← pricing ← analysis ← store, analysis ← report; the
        // TokenLedger target is the façade the command-line tool and the tests call.
        .target(
            name: "LedgerValues",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: crossModule
        ),
        .target(
            name: "LedgerIngest",
            dependencies: ["LedgerValues", "CZlib"],
            swiftSettings: crossModule
        ),
        .target(
            name: "LedgerPricing",
            dependencies: ["LedgerValues", "LedgerIngest", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Resources/default-prices.yaml")],
            swiftSettings: crossModule
        ),
        .target(
            name: "LedgerAnalysis",
            dependencies: ["LedgerValues", "LedgerPricing"],
            swiftSettings: crossModule
        ),
        .target(
            name: "LedgerStore",
            dependencies: ["LedgerValues", "LedgerIngest", "LedgerPricing", "LedgerAnalysis", "CSQLite"],
            swiftSettings: crossModule
        ),
        .target(
            name: "LedgerReport",
            dependencies: ["LedgerValues", "LedgerPricing", "LedgerAnalysis"],
            swiftSettings: crossModule
        ),
        .target(
            name: "LedgerSample",
            dependencies: ["LedgerValues"],
            swiftSettings: crossModule
        ),
        .target(
            name: "TokenLedger",
            dependencies: ["LedgerValues", "LedgerIngest", "LedgerPricing", "LedgerAnalysis", "LedgerStore",
                           "LedgerReport", "LedgerSample"]
        ),
        .executableTarget(
            name: "tokenledger",
            dependencies: [
                "TokenLedger",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Helpers shared by the two test targets.
        .target(
            name: "TestSupport",
            dependencies: ["CZlib"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "TokenLedgerTests",
            dependencies: ["TokenLedger", "LedgerValues", "LedgerIngest", "LedgerPricing", "LedgerAnalysis", "LedgerStore",
                           "LedgerReport", "LedgerSample", "TestSupport"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["tokenledger", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
