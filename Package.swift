// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dqmon",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dqmon", targets: ["dqmon"]),
        .library(name: "DQMon", targets: ["DQMon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        // `dqmon check --prometheus-file`: the text exposition format (escaping, HELP/TYPE grouping) for node_exporter.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        // Tests only: property tests over random, extreme and non-finite inputs (formatters, parsers, CSV reader).
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .target(
            name: "DQMon",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "CSQLiteConfig",
                "CSQLiteTimestamps",
            ]
        ),
        .executableTarget(
            name: "dqmon",
            dependencies: [
                "DQMon",
                "CLazyCurl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The static Swift runtime's link arguments export every symbol of the executable (-export-dynamic:
            // ~45,000 names). Nothing resolves dqmon's own symbols at run time, but each start paid for them: the
            // dynamic loader checks the executable first for every symbol its ~35 libraries bind, and the runtime's
            // start-up dladdr() walks the whole table (~1 ms of `dqmon --version`'s 12 ms, measured on relinked
            // release binaries). Release only: debug builds and tests link as before.
            // `-L Sources/CLazyCurl/link`: Foundation's `-lcurl` finds an empty linker script there, so libcurl is loaded
            // when an alert is first sent instead of at every start (see Sources/CLazyCurl/LazyCurl.c).
            // Not linked with lld and `-z pack-relative-relocs` (DT_RELR: 26 KB instead of 3.2 MB of relative relocations;
            // tried in 2cb04c7): on identical code the dynamic loader's whole start (LD_DEBUG=statistics) was 0.2-0.5 ms
            // either way and task-clock did not move beyond noise, while the binary would need glibc 2.36 (not 2.35).
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic", "-L", Context.packageDirectory + "/Sources/CLazyCurl/link"],
                                          .when(platforms: [.linux], configuration: .release))]
        ),
        // libcurl's functions for the statically linked Foundation, forwarding to libcurl loaded on first use. Compiled
        // empty except in Linux release builds, the ones linked with --static-swift-stdlib (debug links Foundation's
        // shared libraries, which load libcurl themselves).
        .target(
            name: "CLazyCurl",
            exclude: ["link"],
            cSettings: [.define("DQMON_LAZY_CURL", .when(platforms: [.linux], configuration: .release))]
        ),
        // SQLite's process-wide configuration, set before SQLite initializes: memory statistics off, so connections
        // read in parallel without sharing a global mutex on every allocation (see Sources/CSQLiteConfig/SQLiteConfig.c).
        .target(
            name: "CSQLiteConfig",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        // SQL functions registered on SQLite warehouse connections, each exactly julianday() of every value, without
        // SQLite's general date parser for the common forms: `dqmon_julianday` per row, and the aggregates
        // `dqmon_latest_julianday` and `dqmon_count_at_or_after` that a scan's metrics use (see Sources/CSQLiteTimestamps).
        .target(
            name: "CSQLiteTimestamps",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        .target(
            name: "DQMonTestSupport",
            dependencies: ["DQMon", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "DQMonTests",
            dependencies: [
                "DQMon", "DQMonTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
                // `@testable import dqmon`: the CLI's own parsing compared with ArgumentParser's in process.
                "dqmon",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
