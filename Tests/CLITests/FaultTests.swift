import Foundation
import Testing
import TokenLedger

#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs mounted for one test. Mounting needs root: where it fails, ``init(at:megabytes:)``
/// returns nil and the test takes another way (or is skipped, saying why).
final class SmallDisk {
    let path: String
    private var mounted = true

    /// `TOKENLEDGER_TEST_NO_MOUNT=1` takes the ways that need no mount, as where mounting is not allowed.
    init?(at path: String, megabytes: Int) {
        self.path = path
        if ProcessInfo.processInfo.environment["TOKENLEDGER_TEST_NO_MOUNT"] != nil { return nil }
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard Self.system(["mount", "-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0755", "tmpfs", path]) == 0 else { return nil }
    }

    deinit { unmount() }

    /// More room: the full disk is freed.
    func resize(megabytes: Int) {
        #expect(Self.system(["mount", "-o", "remount,size=\(megabytes)m", path]) == 0, "remount \(path)")
    }

    func makeReadOnly(_ readOnly: Bool) {
        #expect(Self.system(["mount", "-o", readOnly ? "remount,ro" : "remount,rw", path]) == 0, "remount \(path)")
    }

    func unmount() {
        guard mounted else { return }
        mounted = false
        _ = Self.system(["umount", path])
    }

    /// Whether a tmpfs can be mounted here (root, and a kernel and container that allow it).
    static let available: Bool = {
        guard let probe = try? CLI.temporaryDirectory() else { return false }
        defer { try? FileManager.default.removeItem(at: probe) }
        guard let disk = SmallDisk(at: probe.path, megabytes: 1) else { return false }
        disk.unmount()
        return true
    }()

    /// Runs a program found on the PATH, silently; its exit status.
    @discardableResult
    static func system(_ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

/// Faults around the database: a full disk, a read-only file or folder, a file from a newer TokenLedger,
/// a damaged file. Each gives an error that names the file and the problem, exits non-zero, and leaves
/// what was stored as it was.
@Suite(.timeLimit(.minutes(10)))
struct FaultTests {
    typealias State = KillMidwayTests.State

    static var isRoot: Bool { geteuid() == 0 }

    /// The bytes of a file (the databases here are small).
    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// Requests, cost and tokens of one source's rows.
    static func totals(_ path: String, source: Int64) throws -> [Int64] {
        let db = try Database(path: path, mode: .readOnly)
        let s = try db.prepare("""
            SELECT count(*), coalesce(sum(cost), 0), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0)
            FROM requests WHERE source_id = ?
            """)
        s.bind(source, at: 1)
        guard try s.step() else { return [] }
        return (0..<4).map { s.int64($0) }
    }

    /// A command's outcome was a handled error: status 1, no signal, the file and the problem named.
    static func expectRefused(_ r: CLI.Result, naming path: String, _ problem: String, _ what: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!r.signaled, "\(what): ended by signal \(r.status)", sourceLocation: sourceLocation)
        #expect(r.status == 1, "\(what): status \(r.status): \(r.output)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(path), "\(what): the message does not name \(path): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(problem), "\(what): the message does not say `\(problem)`: \(r.stderr)", sourceLocation: sourceLocation)
    }

    // MARK: A full disk

    @Test func aFullDiskStopsTheImportAndARerunWithSpaceFinishesIt() throws {
        let w = try CLIWorkspace()
        let small = try w.sample("small.jsonl", calls: 2_000, seed: 31, days: 2)
        let large = try w.sample("large.jsonl", calls: 60_000, seed: 32, days: 4)

        // A 4 MB file system where mounting works; elsewhere a file-size limit of 2 MB on the importing
        // process (`ulimit -f` counts 512-byte blocks) stands in for it.
        let disk = SmallDisk(at: w.path("disk"), megabytes: 4)
        defer { disk?.unmount() }
        let db = disk.map { $0.path + "/ledger.sqlite" } ?? w.path("ledger.sqlite")
        let limited: [String] = disk == nil ? ["/bin/sh", "-c", "ulimit -f 4096 && exec \"$0\" \"$@\""] : []

        let first = try CLI.run(["import", small, "--db", db, "--quiet"])
        #expect(first.status == 0, "\(first.output)")
        let smallTotals = try Self.totals(db, source: 1)
        #expect((smallTotals.first ?? 0) > 1_900, "\(smallTotals)")

        let full = try CLI.run(["import", large, "--db", db, "--quiet"], launcher: limited)
        Self.expectRefused(full, naming: db, "full", "import onto a full disk")
        #expect(full.stderr.contains("while importing \(large)"), "\(full.stderr)")
        #expect(full.stderr.contains("run the same import again"), "\(full.stderr)")

        let after = try State(path: db)
        #expect(after.consistencyProblems.isEmpty, "\(after.consistencyProblems)")
        #expect(try Self.totals(db, source: 1) == smallTotals, "the first import's rows changed")
        #expect(after.requests < 62_000, "the large import cannot have fit: \(after)")

        // Space is freed: the same import runs to the end, to what a clean import gives.
        disk?.resize(megabytes: 256)
        let rerun = try CLI.run(["import", large, "--db", db, "--quiet"])
        #expect(rerun.status == 0, "\(rerun.output)")

        let clean = w.path("clean.sqlite")
        #expect(try CLI.run(["import", small, "--db", clean, "--quiet"]).status == 0)
        #expect(try CLI.run(["import", large, "--db", clean, "--quiet"]).status == 0)
        let finished = try State(path: db)
        let expected = try State(path: clean)
        #expect(finished.consistencyProblems.isEmpty, "\(finished.consistencyProblems)")
        #expect(finished == expected, "after the full disk: \(finished); clean: \(expected)")
        #expect(try KillMidwayTests.differingRows("requests", columns: KillMidwayTests.requestColumns, db, clean) == 0)
        #expect(try KillMidwayTests.differingRows("actions", db, clean) == 0)
    }

    // MARK: A read-only database

    /// Import is refused naming the file; summary and report read it; nothing changes.
    static func expectReadOnlyBehaviour(_ w: CLIWorkspace, db: String, input: String, requests: Int64, problem: String,
                                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = Self.bytes(db)
        let r = try CLI.run(["import", input, "--db", db, "--quiet"])
        Self.expectRefused(r, naming: db, problem, "import", sourceLocation: sourceLocation)
        #expect(r.stderr.contains("can still use it"), "\(r.stderr)", sourceLocation: sourceLocation)
        let reprice = try CLI.run(["reprice", "--db", db])
        Self.expectRefused(reprice, naming: db, problem, "reprice", sourceLocation: sourceLocation)

        let summary = try CLI.run(["summary", "--format", "json", "--db", db])
        #expect(summary.status == 0, "summary: \(summary.output)", sourceLocation: sourceLocation)
        #expect(try summary.json()["total"]?["requests"]?.int64 == requests, sourceLocation: sourceLocation)
        let report = try CLI.run(["report", "--format", "json", "--from", "2026-10-05", "--to", "2026-10-06", "--db", db])
        #expect(report.status == 0, "report: \(report.output)", sourceLocation: sourceLocation)
        #expect(try report.json()["summary"]?["calls"]?.int64 == requests, sourceLocation: sourceLocation)
        #expect(Self.bytes(db) == before, "the database file changed", sourceLocation: sourceLocation)
    }

    @Test(.enabled(if: !FaultTests.isRoot || SmallDisk.available,
                   "as root file permissions do not apply, and no read-only tmpfs could be mounted instead"))
    func aReadOnlyDatabaseRefusesImportsAndStillReports() throws {
        let w = try CLIWorkspace()
        let small = try w.sample("small.jsonl", calls: 2_000, seed: 41, days: 2)
        let more = try w.sample("more.jsonl", calls: 500, seed: 42, days: 2)

        if Self.isRoot, let disk = SmallDisk(at: w.path("disk"), megabytes: 16) {
            // A read-only file system: neither the file nor its folder can be written.
            defer { disk.unmount() }
            let db = disk.path + "/ledger.sqlite"
            #expect(try CLI.run(["import", small, "--db", db, "--quiet"]).status == 0)
            let before = try State(path: db)
            disk.makeReadOnly(true)
            try Self.expectReadOnlyBehaviour(w, db: db, input: more, requests: before.requests, problem: "read-only")
            disk.makeReadOnly(false)
            let after = try State(path: db)
            #expect(after == before && after.integrity == "ok", "\(after)")
            return
        }

        // A read-only file in a writable folder.
        let db = w.path("file/ledger.sqlite")
        try FileManager.default.createDirectory(atPath: w.path("file"), withIntermediateDirectories: true)
        #expect(try CLI.run(["import", small, "--db", db, "--quiet"]).status == 0)
        let before = try State(path: db)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: db)
        try Self.expectReadOnlyBehaviour(w, db: db, input: more, requests: before.requests, problem: "is read-only")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: db)
        #expect(try State(path: db) == before)

        // A writable file in a read-only folder: SQLite cannot create the -wal and -shm files.
        let folder = w.path("folder")
        let db2 = folder + "/ledger.sqlite"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(try CLI.run(["import", small, "--db", db2, "--quiet"]).status == 0)
        let before2 = try State(path: db2)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder) }
        try Self.expectReadOnlyBehaviour(w, db: db2, input: more, requests: before2.requests, problem: "folder is read-only")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        let after2 = try State(path: db2)
        #expect(after2 == before2 && after2.integrity == "ok", "\(after2)")
    }

    // MARK: A database from a newer TokenLedger

    @Test func aDatabaseFromANewerVersionIsRefusedByEveryCommandAndNotChanged() throws {
        let w = try CLIWorkspace()
        let small = try w.sample("small.jsonl", calls: 2_000, seed: 51, days: 2)
        let db = w.db
        #expect(try w.run(["import", small, "--quiet"]).status == 0)
        let before = try State(path: db)
        try Self.setUserVersion(db, Schema.currentVersion + 7)
        let prices = try w.write("prices.yaml", """
            prices:
              - model: newer-model
                provider: openai
                effective_from: 2026-01-01
                per_million_tokens: {input: 1, output: 2}
            """)
        let bytes = Self.bytes(db)
        #expect(bytes != nil)
        let commands: [[String]] = [
            ["import", small], ["summary"], ["report"], ["explain"], ["whatif", "--all-on", "gpt-4o-mini"], ["rejects"],
            ["export", "focus", "--output", "-"], ["prices", "list"], ["prices", "check"], ["prices", "import", prices],
            ["prices", "diff", prices], ["reprice"], ["reconcile"],
        ]
        for command in commands {
            let r = try w.run(command)
            Self.expectRefused(r, naming: db, "was written by a newer TokenLedger", command.joined(separator: " "))
            #expect(Self.bytes(db) == bytes, "`\(command.joined(separator: " "))` changed the file")
            let wal = (try? FileManager.default.attributesOfItem(atPath: db + "-wal")[.size] as? Int) ?? 0
            #expect(wal == 0, "`\(command.joined(separator: " "))` left \(wal) bytes in the -wal file")
        }

        #expect(throws: SchemaError.self) { try Database(path: db, mode: .readOnly) }
        // Set back to this version, it holds exactly what it held.
        try Self.setUserVersion(db, Schema.currentVersion)
        let after = try State(path: db)
        #expect(after == before && after.integrity == "ok", "\(after)")
    }

    // MARK: A database from an older TokenLedger

    @Test func aDatabaseFromTheVersionBeforeIsUpgradedByAReadingCommand() throws {
        let w = try CLIWorkspace()
        let small = try w.sample("small.jsonl", calls: 3_000, seed: 53, days: 3)
        let budget = CLI.fixtures.appendingPathComponent("budget/budget.yaml").path
        #expect(try w.run(["import", small, "--quiet"]).status == 0)
        let report = ["report", "--budget", budget, "--format", "json"]
        let current = try w.run(report)
        #expect(current.status == 0, "\(current.output)")
        let before = try State(path: w.db)
        // As version 3 wrote it: no charges beyond text tokens (version 5), no busiest-minute columns in
        // user_daily (version 4), no cloud bills' columns in provider_costs (version 6).
        do {
            let db = try Database(path: w.db)
            try db.execute("""
                DROP VIEW v_requests; DROP VIEW v_prices; DROP TABLE price_tool_fees; DROP TABLE price_modifiers;
                ALTER TABLE requests DROP COLUMN extras; ALTER TABLE prices DROP COLUMN per_image;
                """)
            for column in ["cost_modality", "cost_tool_fees", "cost_uplift", "tool_calls"] {
                try db.execute("ALTER TABLE usage_hourly DROP COLUMN \(column)")
            }
            for column in ["audio_input", "cached_audio_input", "audio_output", "image_input", "image_output"] {
                try db.execute("ALTER TABLE price_rates DROP COLUMN \(column)")
            }
            for column in ["minute_peak", "first_minute", "first_minute_calls", "last_minute", "last_minute_calls"] {
                try db.execute("ALTER TABLE user_daily DROP COLUMN \(column)")
            }
            // No cloud bills' columns (version 6).
            try db.execute("DROP VIEW v_provider_costs")
            for column in ["contracted_amount", "effective_amount", "service_name", "sku_id", "sku_price_details", "cloud_extra"] {
                try db.execute("ALTER TABLE provider_costs DROP COLUMN \(column)")
            }
            try db.execute("PRAGMA user_version = 3")
        }
        let old = try w.run(report)
        #expect(old.status == current.status, "\(old.output)")
        #expect(old.stdout == current.stdout)
        let db = try Database(path: w.db, mode: .readOnly)
        #expect(try db.scalarInt("PRAGMA user_version") == Schema.currentVersion)
        #expect(try db.scalarInt("SELECT count(*) FROM pragma_table_info('user_daily') WHERE name = 'minute_peak'") == 1)
        // Cells written before the upgrade have no bound: their days are read.
        #expect(try db.scalarInt("SELECT count(*) FROM user_daily WHERE minute_peak IS NOT NULL") == 0)
        #expect(try State(path: w.db) == before)
    }

    /// Writes `PRAGMA user_version` into the file's header (TokenLedger itself refuses a newer file;
    /// the database is closed and its -wal file copied in, so the header is the whole truth).
    static func setUserVersion(_ path: String, _ version: Int64) throws {
        // The version is the 4 bytes at offset 60 of the header, big-endian.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: 60)
        var big = UInt32(version).bigEndian
        try handle.write(contentsOf: Data(bytes: &big, count: 4))
    }

    // MARK: A damaged database

    enum Damage: String, CaseIterable, CustomStringConvertible {
        /// 64 KiB of random bytes.
        case randomBytes
        /// A text file passed as the database.
        case textFile
        /// A database whose header is whole and whose other pages are random.
        case headerThenNoise
        /// A sound database with one page in the middle overwritten.
        case pageOverwritten

        var description: String { rawValue }
    }

    /// Deterministic noise.
    static func noise(_ count: Int, seed: UInt64) -> Data {
        var state = seed
        var out = Data(capacity: count)
        for _ in 0..<count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            out.append(UInt8(truncatingIfNeeded: state >> 33))
        }
        return out
    }

    /// The number (1-based) of the leaf page in the middle of the `requests` table: the middle child of
    /// its root, read from the file (a table b-tree's interior page lists its children in key order).
    static func middleLeafOfRequests(_ path: String) throws -> Int {
        let root: Int
        do {
            let db = try Database(path: path, mode: .readOnly)
            root = Int(try db.scalarInt("SELECT rootpage FROM sqlite_schema WHERE name = 'requests'") ?? 0)
            #expect(try db.scalarInt("PRAGMA page_size") == 4096)
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let page = Array(data[(root - 1) * 4096..<root * 4096])
        #expect(page[0] == 0x05, "the root of requests is an interior table page")
        let cells = Int(page[3]) << 8 | Int(page[4])
        let pointer = 12 + 2 * (cells / 2)
        let cell = Int(page[pointer]) << 8 | Int(page[pointer + 1])
        return Int(page[cell]) << 24 | Int(page[cell + 1]) << 16 | Int(page[cell + 2]) << 8 | Int(page[cell + 3])
    }

    @Test(arguments: Damage.allCases)
    func aDamagedDatabaseIsAnErrorAndIsNotChanged(_ damage: Damage) throws {
        let w = try CLIWorkspace()
        let input = try w.sample("in.jsonl", calls: 200, seed: 61, days: 1)
        let db = w.path("damaged.sqlite")
        switch damage {
        case .randomBytes:
            try Self.noise(64 << 10, seed: 1).write(to: URL(fileURLWithPath: db))
        case .textFile:
            try Data("These are notes, not a database.\nSecond line.\n".utf8).write(to: URL(fileURLWithPath: db))
        case .headerThenNoise:
            var data = Data("SQLite format 3\u{0}".utf8)
            data.append(Self.noise(16 << 10, seed: 2))
            try data.write(to: URL(fileURLWithPath: db))
        case .pageOverwritten:
            let source = try w.sample("source.jsonl", calls: 3_000, seed: 62, days: 2)
            #expect(try CLI.run(["import", source, "--db", db, "--quiet"]).status == 0)
            let page = try Self.middleLeafOfRequests(db)
            var data = try Data(contentsOf: URL(fileURLWithPath: db))
            let pageSize = 4096
            #expect(page > 1 && page <= data.count / pageSize, "page \(page) of \(data.count / pageSize)")
            let start = (page - 1) * pageSize
            data.replaceSubrange(start..<start + pageSize, with: Self.noise(pageSize, seed: 3))
            try data.write(to: URL(fileURLWithPath: db))
        }
        let bytes = Self.bytes(db)
        let problem = "is damaged or is not an SQLite database"

        // Writing commands refuse the file, whatever page is broken.
        for command in [["import", input, "--quiet"], ["reprice"], ["prices", "list"]] {
            let r = try CLI.run(command + ["--db", db])
            Self.expectRefused(r, naming: db, problem, "\(damage): \(command[0])")
            #expect(Self.bytes(db) == bytes, "\(damage): `\(command[0])` changed the file")
        }
        // Reading commands fail the same way when they meet the damage; with one page broken they may
        // not meet it (a report reads the rollups, not the requests).
        for command in [["summary", "--format", "json"], ["report", "--format", "json"], ["rejects"], ["explain"]] {
            let r = try CLI.run(command + ["--db", db])
            #expect(!r.signaled, "\(damage): \(command[0]) ended by signal \(r.status)")
            if damage != .pageOverwritten || r.status != 0 {
                Self.expectRefused(r, naming: db, problem, "\(damage): \(command[0])")
            }
            #expect(Self.bytes(db) == bytes, "\(damage): `\(command[0])` changed the file")
        }
        if damage == .pageOverwritten {
            // The summary reads every request, so it meets the damaged page.
            let r = try CLI.run(["summary", "--db", db])
            Self.expectRefused(r, naming: db, problem, "summary of a damaged page")
        }
    }
}
