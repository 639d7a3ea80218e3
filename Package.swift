// swift-tools-version: 6.0
import PackageDescription

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
        .target(
            name: "TokenLedger",
            dependencies: [
                "CSQLite",
                "CZlib",
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Pricing/Resources/default-prices.yaml")]
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
            dependencies: ["TokenLedger", "TestSupport"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["tokenledger", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
