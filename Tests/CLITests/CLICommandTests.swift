import Foundation
import Testing
import TestSupport
import TokenLedger

extension CLI.Result {
    /// Standard output parsed as JSON.
    func json() throws -> JSONValue { try JSONValue.parse(stdout) }
    var output: String { stdout + stderr }
}

/// A directory with a database for one test, removed afterwards.
final class CLIWorkspace {
    let url: URL

    init() throws { url = try CLI.temporaryDirectory() }
    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    var db: String { path("ledger.sqlite") }

    /// Runs the command against this workspace's database.
    @discardableResult
    func run(_ arguments: [String], stdin: Data? = nil, db: String? = nil) throws -> CLI.Result {
        try CLI.run(arguments + ["--db", db ?? self.db], stdin: stdin, directory: url)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let p = path(name)
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    /// `tokenledger sample` into a file of this workspace.
    func sample(_ name: String, calls: Int, seed: Int, days: Int = 4, extra: [String] = []) throws -> String {
        let p = path(name)
        let r = try CLI.run(["sample", "--calls", String(calls), "--seed", String(seed), "--days", String(days), "-o", p] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        return p
    }

    /// `summary --format json` of a database, parsed.
    func summary(_ extra: [String] = [], db: String? = nil) throws -> JSONValue {
        let r = try run(["summary", "--format", "json"] + extra, db: db)
        #expect(r.status == 0, "\(r.output)")
        return try r.json()
    }
}

func fixture(_ name: String) -> String { CLI.fixtures.appendingPathComponent("routing-log/\(name)").path }

/// `malformed.expected`: line → reason code.
func expectedRejects() throws -> [Int: String] {
    let text = try String(contentsOfFile: fixture("malformed.expected"), encoding: .utf8)
    var out: [Int: String] = [:]
    for row in text.split(separator: "\n") {
        let parts = row.split(separator: " ")
        if parts.count == 2, let n = Int(parts[0]) { out[n] = String(parts[1]) }
    }
    return out
}

/// A decimal dollar string as picodollars.
func picos(_ text: String?) -> Int128? {
    guard let text else { return nil }
    var s = Substring(text)
    let negative = s.first == "-"
    if negative { s = s.dropFirst() }
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, !parts[0].isEmpty, parts[0].allSatisfy(\.isNumber) else { return nil }
    let fraction = parts.count == 2 ? parts[1] : ""
    guard fraction.count <= 12, fraction.allSatisfy(\.isNumber),
          let w = Int128(parts[0]), let f = Int128(fraction + String(repeating: "0", count: 12 - fraction.count)) else { return nil }
    return negative ? -(w * 1_000_000_000_000 + f) : w * 1_000_000_000_000 + f
}

@Suite struct CLIImportTests {
    @Test func importReportsRowsAndRejectsAndExitsZero() throws {
        let w = try CLIWorkspace()
        let expected = try expectedRejects()
        let r = try w.run(["import", fixture("valid.jsonl"), fixture("malformed.jsonl"), "--json"])
        #expect(r.status == 0, "\(r.output)")
        let json = try r.json()
        let good = 11 + 2  // valid.jsonl's calls and malformed.jsonl's first and last line
        #expect(json["rows_imported"]?.int64 == Int64(good))
        #expect(json["rejected"]?.int64 == Int64(expected.count))
        #expect(json["all_inputs_read"]?.bool == true)
        let files = try #require(json["files"]?.array)
        #expect(files.map { $0["status"]?.string } == ["imported", "imported"])
        #expect(files.map { $0["format"]?.string } == ["routing-log", "routing-log"])
        var byReason: [String: Int64] = [:]
        for code in expected.values { byReason[code, default: 0] += 1 }
        var reported: [String: Int64] = [:]
        for entry in json["rejects_by_reason"]?.array ?? [] {
            if let code = entry["reason"]?.string, let n = entry["count"]?.int64 { reported[code] = n }
        }
        #expect(reported == byReason)
        #expect(json["unpriced_models"]?.array?.first?["model"]?.string == "my-finetune-v2")

        // Text output, and the second run skips both files.
        let again = try w.run(["import", fixture("valid.jsonl"), fixture("malformed.jsonl")])
        #expect(again.status == 0)
        #expect(again.stdout.contains("Imported 0 requests"))
        #expect(again.stdout.contains("valid.jsonl: unchanged since the last import, skipped"))
    }

    @Test func anUnreadableInputOrUnknownFormatExitsOneAfterImportingTheRest() throws {
        let w = try CLIWorkspace()
        let csv = try w.write("exports/usage.csv", "date,amount\n2026-10-05,1.00\n")
        let binary = try w.write("blob.jsonl", "\u{01}\u{02}binary\n")
        let good = try w.write("good.jsonl", #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"g","model":"gpt-4o-mini","input_tokens":10,"output_tokens":1}"# + "\n")
        let r = try w.run(["import", csv, w.path("missing.jsonl"), binary, good])
        #expect(r.status == 1)
        #expect(r.output.contains("\(csv): error: format not recognised"))
        #expect(r.output.contains("\(binary): error: format not recognised"))
        #expect(r.output.contains("missing.jsonl: error: cannot read"))
        #expect(r.stdout.contains("Imported 1 requests"))
        #expect(try w.summary()["total"]?["requests"]?.int64 == 1)

        let json = try w.run(["import", csv, "--json"])
        #expect(json.status == 1)
        let files = try json.json()["files"]?.array
        #expect(files?.first?["status"]?.string == "failed")
        #expect(files?.first?["error"]?.string?.contains("format not recognised") == true)
        #expect(try json.json()["all_inputs_read"]?.bool == false)
    }

    @Test func standardInput() throws {
        let w = try CLIWorkspace()
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture("valid.jsonl")))
        let first = try w.run(["import", "-", "--json"], stdin: data)
        #expect(first.status == 0, "\(first.output)")
        #expect(try first.json()["rows_imported"]?.int64 == 11)
        let second = try w.run(["import", "-", "--json"], stdin: data)
        #expect(try second.json()["rows_imported"]?.int64 == 0)
        #expect(try second.json()["duplicates"]?.int64 == 11)
    }

    @Test func gzipOnStandardInput() throws {
        let w = try CLIWorkspace()
        let plain = try w.sample("s.jsonl", calls: 3_000, seed: 4)
        let lines = try String(contentsOfFile: plain, encoding: .utf8).split(separator: "\n").count
        let compressed = Data(gzipCompress(Array(try Data(contentsOf: URL(fileURLWithPath: plain)))))
        let r = try w.run(["import", "-", "--json"], stdin: compressed)
        #expect(r.status == 0, "\(r.output)")
        #expect(try r.json()["rows_imported"]?.int64 == Int64(lines))
        #expect(try r.json()["files"]?.array?.first?["format"]?.string == "routing-log")
        // Cut short: what was read is kept, and the run fails.
        let cut = try w.run(["import", "-", "--json"], stdin: compressed.prefix(compressed.count / 2), db: w.path("cut.sqlite"))
        #expect(cut.status == 1)
        let rows = try #require(try cut.json()["rows_imported"]?.int64)
        #expect(rows > 0 && rows < Int64(lines))
    }

    @Test func aCutShortGzipFileExitsOneAndKeepsWhatWasRead() throws {
        let w = try CLIWorkspace()
        let plain = try w.sample("s.jsonl", calls: 3_000, seed: 3)
        let whole = Data(gzipCompress(Array(try Data(contentsOf: URL(fileURLWithPath: plain)))))
        try whole.write(to: URL(fileURLWithPath: plain + ".gz"))
        let cut = w.path("cut.jsonl.gz")
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: cut))
        let r = try w.run(["import", cut, "--json"])
        #expect(r.status == 1)
        let file = try #require(try r.json()["files"]?.array?.first)
        #expect(file["status"]?.string == "failed")
        #expect(file["error"]?.string?.contains("truncated") == true)
        let rows = try #require(file["rows_imported"]?.int64)
        #expect(rows > 0)
        #expect(try w.summary()["total"]?["requests"]?.int64 == rows)
        // The whole file afterwards brings the rest; nothing twice.
        let rest = try w.run(["import", plain + ".gz", "--json"])
        #expect(rest.status == 0)
        let all = try w.run(["import", plain, "--json"])
        #expect(try all.json()["rows_imported"]?.int64 == 0)
    }

    @Test func usageErrorsExitWith64() throws {
        let w = try CLIWorkspace()
        let cases: [[String]] = [
            ["import"],
            ["import", "x.jsonl", "--format", "nope"],
            ["summary", "--by", "weekday"],
            ["summary", "--from", "2026-13-01"],
            ["summary", "--from", "2026-10-07", "--to", "2026-10-06"],
            ["summary", "--tz", "Mars/Olympus_Mons"],
            ["summary", "--format", "html"],
            ["rejects", "--limit", "many"],
            ["reprice", "--from", "yesterday"],
            ["frobnicate"],
        ]
        let withoutDatabase: [[String]] = [
            ["sample", "--calls", "0"],
            ["sample", "--start", "2026-02-30"],
            ["sample", "--scenario", "chaos"],
            ["sample", "--duplicate-share", "1.5"],
        ]
        for arguments in cases.map({ $0 + ["--db", w.db] }) + withoutDatabase {
            let r = try CLI.run(arguments, directory: w.url)
            #expect(r.status == 64, "\(arguments): \(r.status) \(r.output)")
            #expect(r.stderr.contains("Error") || r.stderr.contains("Usage"), "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: w.db))
    }

    @Test func theDatabaseComesFromTheOptionTheEnvironmentOrTheWorkingDirectory() throws {
        let w = try CLIWorkspace()
        let log = fixture("valid.jsonl")
        let envDB = w.path("from-env.sqlite")
        let env = ["TOKENLEDGER_DB": envDB]
        let imported = try CLI.run(["import", log], environment: env, directory: w.url)
        #expect(imported.status == 0, "\(imported.output)")
        #expect(FileManager.default.fileExists(atPath: envDB))
        #expect(!FileManager.default.fileExists(atPath: w.path("tokenledger.sqlite")))
        let viaEnv = try CLI.run(["summary", "--format", "json"], environment: env, directory: w.url)
        #expect(try viaEnv.json()["total"]?["requests"]?.int64 == 11)

        // --db wins over the environment.
        let other = w.path("other.sqlite")
        let missing = try CLI.run(["summary", "--db", other], environment: env, directory: w.url)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no database at \(other)"))

        // Neither: ./tokenledger.sqlite.
        let local = try CLI.run(["import", log], directory: w.url)
        #expect(local.status == 0)
        #expect(FileManager.default.fileExists(atPath: w.path("tokenledger.sqlite")))
        let empty = try CLI.run(["summary", "--format", "json"], environment: ["TOKENLEDGER_DB": ""], directory: w.url)
        #expect(try empty.json()["total"]?["requests"]?.int64 == 11)
    }
}

@Suite struct CLISummaryTests {
    /// Every key that holds money ends in `_usd` and holds a decimal string; returns their paths.
    static func moneyFields(_ v: JSONValue, path: String = "") -> [(String, JSONValue)] {
        switch v {
        case .object(let o):
            return o.flatMap { key, value -> [(String, JSONValue)] in
                let here = path + "." + key
                if key.hasSuffix("_usd") { return [(here, value)] }
                return moneyFields(value, path: here)
            }
        case .array(let a): return a.enumerated().flatMap { moneyFields($1, path: path + "[\($0)]") }
        default: return []
        }
    }

    @Test func jsonCsvAndTextReportsAgreeWithTheStoredRows() throws {
        let w = try CLIWorkspace()
        let log = try w.sample("s.jsonl", calls: 4_000, seed: 17, days: 4)
        #expect(try w.run(["import", log]).status == 0)

        for by in ["model", "tier", "workflow", "team", "day"] {
            let json = try w.summary(["--by", by])
            #expect(json["schema"]?.string == "tokenledger.summary/1")
            #expect(json["group_by"]?.string == by)
            #expect(json["period"]?.isNull == true)
            let total = try #require(picos(json["total_cost_usd"]?.string))
            #expect(total > 0)
            #expect(picos(json["total"]?["cost_usd"]?.string) == total)
            let groups = try #require(json["groups"]?.array)
            #expect(groups.compactMap { picos($0["cost_usd"]?.string) }.reduce(0, +) == total)
            #expect(groups.compactMap { $0["requests"]?.int64 }.reduce(0, +) == json["total"]?["requests"]?.int64)
            for (path, value) in Self.moneyFields(json) {
                guard case .string(let s) = value else { Issue.record("\(path) is not a string"); continue }
                #expect(picos(s) != nil, "\(path) = \(s)")
            }
            // No money under another name.
            #expect(!SummaryKeys.all(json).contains { $0.contains("cost") && !$0.hasSuffix("_usd") })

            let csv = try w.run(["summary", "--by", by, "--format", "csv"])
            #expect(csv.status == 0)
            let rows = csv.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(rows.first?.hasPrefix("\(by),requests,actions,") == true)
            #expect(rows.last?.hasPrefix("total,") == true)
            #expect(rows.count == groups.count + 2)
            let header = rows[0].split(separator: ",").map(String.init)
            let costColumn = try #require(header.firstIndex(of: "cost_usd"))
            #expect(picos(rows.last?.split(separator: ",").map(String.init)[costColumn]) == total)
        }
        let text = try w.run(["summary"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("Summary of all stored requests (UTC), by model"))
        #expect(text.stdout.contains("request(s) are unpriced"))
        // -o writes the report to a file.
        let out = w.path("report.json")
        #expect(try w.run(["summary", "--format", "json", "-o", out]).status == 0)
        #expect(try JSONValue.parse(String(contentsOfFile: out, encoding: .utf8)) == w.summary())
    }

    @Test func datesAreInclusiveCalendarDaysInTheTimeZone() throws {
        let w = try CLIWorkspace()
        // One call an hour from 2026-10-05T00:00Z to 2026-10-08T23:00Z.
        var lines = ""
        for h in 0..<96 {
            let ms = 1_791_158_400_000 + Int64(h) * 3_600_000
            lines += #"{"timestamp":\#(ms),"request_id":"h\#(h)","model":"gpt-4o-mini","input_tokens":\#(h + 1),"output_tokens":1}"# + "\n"
        }
        let log = try w.write("hours.jsonl", lines)
        #expect(try w.run(["import", log]).status == 0)

        let utc = try w.summary(["--from", "2026-10-06", "--to", "2026-10-07"])
        #expect(utc["total"]?["requests"]?.int64 == 48)
        #expect(utc["period"]?["from"]?.string == "2026-10-06")
        #expect(utc["period"]?["to"]?.string == "2026-10-07")
        // 2026-10-06 and 07 in UTC are hours 24…71: input tokens 25…72.
        #expect(utc["total"]?["input_tokens"]?.int64 == (25...72).reduce(0, +))
        let oneDay = try w.summary(["--from", "2026-10-06", "--to", "2026-10-06"])
        #expect(oneDay["total"]?["requests"]?.int64 == 24)

        // Berlin is UTC+2 in October: its 2026-10-06 starts at 2026-10-05T22:00Z (hour 22).
        let berlin = try w.summary(["--from", "2026-10-06", "--to", "2026-10-06", "--tz", "Europe/Berlin"])
        #expect(berlin["time_zone"]?.string == "Europe/Berlin")
        #expect(berlin["total"]?["input_tokens"]?.int64 == (23...46).reduce(0, +))
        let berlinDays = try w.summary(["--by", "day", "--tz", "Europe/Berlin"])
        #expect(berlinDays["groups"]?.array?.map { $0["name"]?.string ?? "" } == ["2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08", "2026-10-09"])
        #expect(berlinDays["groups"]?.array?.map { $0["requests"]?.int64 ?? -1 } == [22, 24, 24, 24, 2])
        // Kolkata is UTC+05:30: its 2026-10-06 starts at 2026-10-05T18:30Z, so hours 19…42.
        let kolkata = try w.summary(["--by", "day", "--tz", "Asia/Kolkata", "--from", "2026-10-06", "--to", "2026-10-06"])
        #expect(kolkata["total"]?["input_tokens"]?.int64 == (20...43).reduce(0, +))
        #expect(kolkata["groups"]?.array?.map { $0["requests"]?.int64 ?? -1 } == [24])
        // A lone --from runs to the end of the data.
        #expect(try w.summary(["--from", "2026-10-08"])["total"]?["requests"]?.int64 == 24)
    }

    @Test func withoutADatabase() throws {
        let w = try CLIWorkspace()
        let r = try w.run(["summary"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no database at"))
        #expect(!FileManager.default.fileExists(atPath: w.db))
    }
}

/// All keys of a JSON document.
enum SummaryKeys {
    static func all(_ v: JSONValue) -> [String] {
        switch v {
        case .object(let o): return o.keys.map { $0 } + o.values.flatMap(all)
        case .array(let a): return a.flatMap(all)
        default: return []
        }
    }
}

@Suite struct CLIRejectsTests {
    @Test func listsFiltersAndLimits() throws {
        let w = try CLIWorkspace()
        let expected = try expectedRejects()
        #expect(try w.run(["import", fixture("malformed.jsonl"), fixture("valid.jsonl")]).status == 0)

        let all = try w.run(["rejects", "--format", "json", "--limit", "0"])
        #expect(all.status == 0)
        let json = try all.json()
        #expect(json["total"]?.int64 == Int64(expected.count))
        var listed: [Int: String] = [:]
        for r in json["rejects"]?.array ?? [] {
            #expect(r["path"]?.string == fixture("malformed.jsonl"))
            if let line = r["line"]?.int64, let reason = r["reason"]?.string { listed[Int(line)] = reason }
            #expect(r["message"]?.string?.isEmpty == false)
            #expect(r["raw"]?.string?.isEmpty == false)
        }
        #expect(listed == expected)

        let missing = try w.run(["rejects", "--format", "json", "--reason", "missing_field"]).json()
        #expect(missing["total"]?.int64 == Int64(expected.values.filter { $0 == "missing_field" }.count))
        #expect(missing["rejects"]?.array?.allSatisfy { $0["reason"]?.string == "missing_field" } == true)

        let limited = try w.run(["rejects", "--format", "json", "--limit", "3"]).json()
        #expect(limited["rejects"]?.array?.count == 3)
        #expect(limited["total"]?.int64 == Int64(expected.count))
        #expect(limited["rejects"]?.array?.compactMap { $0["line"]?.int64 } == [2, 3, 4])

        #expect(try w.run(["rejects", "--format", "json", "--source", "valid.jsonl"]).json()["total"]?.int64 == 0)
        #expect(try w.run(["rejects", "--format", "json", "--source", "malformed"]).json()["total"]?.int64 == Int64(expected.count))

        let text = try w.run(["rejects", "--limit", "2"])
        #expect(text.stdout.contains("\(fixture("malformed.jsonl")):2: missing_field:"))
        #expect(text.stdout.contains("… \(expected.count - 2) more (use --limit 0 to list all)."))
    }

    @Test func conflictsNameBothPlaces() throws {
        let w = try CLIWorkspace()
        let a = fixture("duplicates/a.jsonl"), b = fixture("duplicates/b.jsonl")
        let r = try w.run(["import", a, b, "--json"])
        #expect(r.status == 0)
        #expect(try r.json()["duplicates"]?.int64 == 2)
        let conflicts = try w.run(["rejects", "--format", "json", "--reason", "conflict"]).json()
        let rows = try #require(conflicts["rejects"]?.array)
        #expect(rows.map { "\($0["path"]?.string ?? ""):\($0["line"]?.int64 ?? 0)" } == ["\(a):5", "\(b):2"])
        #expect(rows.map { "\($0["conflict_path"]?.string ?? ""):\($0["conflict_line"]?.int64 ?? 0)" } == ["\(a):4", "\(a):1"])
        #expect(rows[1]["message"]?.string?.contains("\(a):1") == true)
    }

    @Test func anEmptyList() throws {
        let w = try CLIWorkspace()
        #expect(try w.run(["import", fixture("valid.jsonl")]).status == 0)
        let r = try w.run(["rejects"])
        #expect(r.status == 0)
        #expect(r.stdout == "No rejected rows.\n")
    }
}

@Suite struct CLIPricesTests {
    /// Prices a user adds (`fixtures/prices/README.md`).
    static let prices = CLI.fixtures.appendingPathComponent("prices/user-prices.yaml").path

    @Test func checkImportRepriceAndAFreshImportAgree() throws {
        let w = try CLIWorkspace()
        let log = try w.sample("s.jsonl", calls: 4_000, seed: 19, days: 4)
        let priceFile = Self.prices
        #expect(try w.run(["import", log]).status == 0)

        let check = try w.run(["prices", "check", "--format", "json"])
        #expect(check.status == 3)
        let unpriced = try #require(check.json()["unpriced_models"]?.array)
        #expect(unpriced.map { $0["model"]?.string } == ["my-finetune-v2"])
        let unpricedCount = try #require(unpriced.first?["requests"]?.int64)
        let before = try w.summary()
        #expect(before["total"]?["unpriced_requests"]?.int64 == unpricedCount)

        let imported = try w.run(["prices", "import", priceFile])
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.stdout.contains("Imported 2 price entries"))
        // Stored costs stay until reprice.
        #expect(try w.run(["prices", "check"]).status == 3)
        #expect(try w.summary() == before)

        let repriced = try w.run(["reprice"])
        #expect(repriced.status == 0, "\(repriced.output)")
        #expect(repriced.stdout.contains("(\(unpricedCount) newly priced, 0 now unpriced)"))
        let check2 = try w.run(["prices", "check"])
        #expect(check2.status == 0)
        #expect(check2.stdout == "Every stored request is priced.\n")

        // Prices first, then the same log: the same report, to the picodollar.
        let fresh = w.path("fresh.sqlite")
        #expect(try w.run(["prices", "import", priceFile], db: fresh).status == 0)
        #expect(try w.run(["import", log], db: fresh).status == 0)
        for by in ["model", "day", "workflow"] {
            let a = try w.summary(["--by", by])
            let b = try w.summary(["--by", by], db: fresh)
            #expect(a == b, "by \(by)")
        }
        let after = try w.summary()
        #expect(after["total"]?["unpriced_requests"]?.int64 == 0)
        let costBefore = try #require(picos(before["total_cost_usd"]?.string))
        let costAfter = try #require(picos(after["total_cost_usd"]?.string))
        #expect(costAfter != costBefore)
    }

    @Test func repriceOfAPeriodLeavesOtherDaysAlone() throws {
        let w = try CLIWorkspace()
        let log = try w.sample("s.jsonl", calls: 3_000, seed: 29, days: 4)
        let priceFile = Self.prices
        #expect(try w.run(["import", log]).status == 0)
        let before = try w.summary(["--by", "day"])
        #expect(try w.run(["prices", "import", priceFile]).status == 0)
        #expect(try w.run(["reprice", "--from", "2026-10-07", "--to", "2026-10-07"]).status == 0)
        let after = try w.summary(["--by", "day"])

        let fresh = w.path("fresh.sqlite")
        #expect(try w.run(["prices", "import", priceFile], db: fresh).status == 0)
        #expect(try w.run(["import", log], db: fresh).status == 0)
        let target = try w.summary(["--by", "day"], db: fresh)

        func group(_ doc: JSONValue, _ day: String) -> JSONValue? { doc["groups"]?.array?.first { $0["name"]?.string == day } }
        for day in ["2026-10-05", "2026-10-06", "2026-10-08"] {
            #expect(group(after, day) == group(before, day), "\(day)")
        }
        #expect(group(after, "2026-10-07") == group(target, "2026-10-07"))
        #expect(group(after, "2026-10-07") != group(before, "2026-10-07"))
    }

    @Test func listAndLiteLLMImport() throws {
        let w = try CLIWorkspace()
        let list = try w.run(["prices", "list", "--format", "json"])
        #expect(list.status == 0)
        let entries = try #require(list.json()["entries"]?.array)
        #expect(entries.contains { $0["model"]?.string == "gpt-4o-mini" })
        let one = try w.run(["prices", "list", "--model", "gpt-4o-mini-2024-07-18", "--format", "json"])
        #expect(try one.json()["entries"]?.array?.map { $0["model"]?.string } == ["gpt-4o-mini"])
        #expect(try w.run(["prices", "list", "--model", "no-such-model-anywhere"]).status == 1)

        let catalogue = CLI.fixtures.appendingPathComponent("prices/litellm-sample.json").path
        let undated = try w.run(["prices", "import", catalogue])
        #expect(undated.status == 1)
        #expect(undated.stderr.contains("--effective-from"))
        let dated = try w.run(["prices", "import", catalogue, "--effective-from", "2026-11-01"])
        #expect(dated.status == 0, "\(dated.output)")
        let later = try w.run(["prices", "list", "--model", "gpt-5", "--format", "json"]).json()
        #expect(later["entries"]?.array?.contains { $0["effective_from"]?.string == "2026-11-01" } == true)

        let broken = try w.write("broken.yaml", "prices:\n  - model: x\n")
        let r = try w.run(["prices", "import", broken])
        #expect(r.status == 1)
        #expect(r.stderr.contains("broken.yaml"))
    }
}

/// `prices import` keeps what the book prices and the file does not state, and says what it changed;
/// `prices diff` prints the same without importing.
@Suite struct CLIPriceChangesTests {
    static let catalogue = CLI.fixtures.appendingPathComponent("prices/litellm-long-context.json").path

    @Test func aCatalogueImportKeepsSonnetsLongContextAndSaysSo() throws {
        let w = try CLIWorkspace()
        let before = try w.run(["prices", "list", "--format", "json"])
        #expect(before.status == 0)
        let diff = try w.run(["prices", "diff", Self.catalogue, "--effective-from", "2026-11-01"])
        #expect(diff.status == 0, "\(diff.output)")
        #expect(try w.run(["prices", "list", "--format", "json"]).stdout == before.stdout)

        let imported = try w.run(["prices", "import", Self.catalogue, "--effective-from", "2026-11-01"])
        #expect(imported.status == 0, "\(imported.output)")
        var lines = imported.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "Imported 6 price entries from \(Self.catalogue).")
        #expect(lines.suffix(2) == ["Stored requests keep their cost until you run `tokenledger reprice`.", ""])
        lines = Array(lines.dropFirst().dropLast(2))
        // The diff printed exactly what the import then printed.
        #expect(lines.joined(separator: "\n") + "\n" == diff.stdout)
        for line in [
            "Against the book in force: 6 entries; 1 new to the book; 5 replace a price: 3 with changed rates (3 rates raised, 2 lowered), 2 unchanged; 3 keep parts of the earlier entry.",
            // The catalogue prices Anthropic's web search and OpenAI's none of the tools: the book's other fees stay.
            "  claude-sonnet-4-5: kept fees per use of web_fetch from the entry of 2025-09-29",
            "  gpt-5.4: kept fees per use of file_search, web_search from the entry of 2026-03-05",
            "  claude-sonnet-4-5: kept long-context cards (above 200,000 input tokens) from the entry of 2025-09-29",
            "  claude-sonnet-4-5-20250929: kept long-context cards (above 200,000 input tokens) from the claude-sonnet-4-5 entry of 2025-09-29",
            "  gpt-5.4  batch cached_input 0.125 → 0.13",
            "  deepseek/deepseek-chat  standard cache_write_5m 0.28 → 0.00",
            "  vertex_ai/claude-sonnet-4-5 (vertex_ai-anthropic_models): was priced by claude-sonnet-4-5 (anthropic) of 2025-09-29",
            "New to the book (1): claude-sonnet-4-6",
        ] {
            #expect(lines.contains(line), "\(line)")
        }
        // A model's own price comes before names another provider priced until now.
        let own = try #require(lines.firstIndex(of: "  gpt-5.4  batch cached_input 0.125 → 0.13"))
        let other = try #require(lines.firstIndex(of: "  vertex_ai/claude-sonnet-4-5  batch cache_write_5m 1.875 → 1.88"))
        #expect(own < other)

        // The stored entry bills above 200K input tokens at Anthropic's long-context rates.
        let list = try w.run(["prices", "list", "--model", "claude-sonnet-4-5", "--format", "json"]).json()
        let entry = try #require(list["entries"]?.array?.first { $0["effective_from"]?.string == "2026-11-01" })
        #expect(entry["long_context_threshold"]?.int64 == 200_000)
        let long = try #require(entry["cards"]?.array?.first { $0["long_context"]?.bool == true && $0["tier"]?.string == "standard" })
        #expect(long["input"]?.string == "6.00")
        #expect(long["output"]?.string == "22.50")

        // Importing the same file again changes nothing and keeps the same parts.
        let again = try w.run(["prices", "diff", Self.catalogue, "--effective-from", "2026-11-01", "--format", "json"])
        #expect(again.status == 0)
        let summary = try #require(again.json()["summary"])
        #expect(summary["unchanged"]?.int64 == 6)
        #expect(summary["changed"]?.int64 == 0)
        #expect(summary["keeping"]?.int64 == 3)
    }

    @Test func raisedLoweredAddedAndKeptFromAPriceFile() throws {
        let w = try CLIWorkspace()
        let file = try w.write("sonnet.yaml", """
            prices:
              - model: claude-sonnet-4-5
                provider: anthropic
                effective_from: 2026-11-01
                per_million_tokens: {input: 2.50, output: 16.00}
                flex: {input: 2.00, output: 12.00}

            """)
        // The batch card is kept as written; its 1-hour write is derived from the standard one at the
        // batch discount: 6.00 × 1.50 ÷ 3.00 = 3.00 before, 6.00 × 1.50 ÷ 2.50 = 3.60 after.
        let expected = """
            Against the book in force: 1 entry; 1 replaces a price: 1 with changed rates (3 rates raised, 1 lowered, 1 card added); 1 keeps parts of the earlier entry.
            Changed (USD per 1M tokens):
              claude-sonnet-4-5  standard input 3.00 → 2.50
              claude-sonnet-4-5  standard output 15.00 → 16.00
              claude-sonnet-4-5  standard reasoning 15.00 → 16.00
              claude-sonnet-4-5  batch cache_write_1h 3.00 → 3.60
              claude-sonnet-4-5  flex card added: input 2.00, output 12.00
            Kept from the earlier entry:
              claude-sonnet-4-5: kept long-context cards (above 200,000 input tokens) from the entry of 2025-09-29
              claude-sonnet-4-5: kept batch card from the entry of 2025-09-29
              claude-sonnet-4-5: kept standard cached_input, cache_write_5m, cache_write_1h from the entry of 2025-09-29
              claude-sonnet-4-5: kept fees per use of web_fetch, web_search from the entry of 2025-09-29

            """
        // No database yet: the diff reads the default book and creates nothing.
        let diff = try w.run(["prices", "diff", file])
        #expect(diff.status == 0, "\(diff.output)")
        #expect(diff.stdout == expected)
        #expect(!FileManager.default.fileExists(atPath: w.db))

        let imported = try w.run(["prices", "import", file])
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.stdout == "Imported 1 price entry from \(file).\n" + expected
            + "Stored requests keep their cost until you run `tokenledger reprice`.\n")
        let stored = try w.run(["prices", "list", "--model", "claude-sonnet-4-5", "--format", "json"]).json()
        let entry = try #require(stored["entries"]?.array?.first { $0["effective_from"]?.string == "2026-11-01" })
        let cards = try #require(entry["cards"]?.array)
        #expect(cards.map { "\($0["tier"]?.string ?? "")\($0["long_context"]?.bool == true ? " long" : "")" }
            == ["standard", "standard long", "batch", "flex"])
        #expect(cards[0]["cache_write_1h"]?.string == "6.00")

        let json = try w.run(["prices", "diff", file, "--format", "json"])
        #expect(json.status == 0)
        #expect(try json.json()["models"]?.array?.first?["status"]?.string == "unchanged")
        #expect(try w.run(["prices", "diff", file, "--format", "yaml"]).status == 64)
    }
}

@Suite struct CLISampleTests {
    @Test func theSameSeedGivesTheSameBytes() throws {
        let w = try CLIWorkspace()
        let a = try w.sample("a.jsonl", calls: 2_000, seed: 5)
        let b = try w.sample("b.jsonl", calls: 2_000, seed: 5)
        let c = try w.sample("c.jsonl", calls: 2_000, seed: 6)
        let bytesA = try Data(contentsOf: URL(fileURLWithPath: a))
        #expect(bytesA == (try Data(contentsOf: URL(fileURLWithPath: b))))
        #expect(bytesA != (try Data(contentsOf: URL(fileURLWithPath: c))))
        let stdout = try CLI.run(["sample", "--calls", "2000", "--seed", "5", "--days", "4"])
        #expect(stdout.status == 0)
        #expect(Data(stdout.stdout.utf8) == bytesA)

        let lines = String(decoding: bytesA, as: UTF8.self).split(separator: "\n")
        #expect(lines.count > 1_800 && lines.count < 2_200)
        var ids = Set<String>()
        for line in lines {
            let v = try JSONValue.parse(String(line))
            if let id = v["request_id"]?.string { ids.insert(id) }
        }
        #expect(ids.count == lines.count)

        let r = try w.run(["import", a, "--json"])
        #expect(try r.json()["rows_imported"]?.int64 == Int64(lines.count))
        #expect(try r.json()["rejected"]?.int64 == 0)
    }

    @Test func defectsAskedForAreDefectsOnImport() throws {
        let w = try CLIWorkspace()
        let log = try w.sample("d.jsonl", calls: 3_000, seed: 8, extra: ["--duplicate-share", "0.05", "--malformed-share", "0.03"])
        let r = try w.run(["import", log, "--json"])
        #expect(r.status == 0)
        let json = try r.json()
        #expect((json["duplicates"]?.int64 ?? 0) > 0)
        #expect((json["rejected"]?.int64 ?? 0) > 0)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count
        #expect((json["rows_imported"]?.int64 ?? 0) + (json["duplicates"]?.int64 ?? 0) + (json["rejected"]?.int64 ?? 0) == Int64(lines))
    }
}


/// A call that used a tool, modality or attribute whose price is unknown is unpriced, and `prices check`
/// says what is missing.
@Suite struct CLIPriceGapTests {
    @Test func pricesCheckNamesTheMissingToolFeeRateOrMultiplier() throws {
        let w = try CLIWorkspace()
        let file = CLI.fixtures.appendingPathComponent("exactness/pricing-paths-extras.jsonl").path
        #expect(try w.run(["import", file]).status == 0)
        let check = try w.run(["prices", "check", "--format", "json"])
        #expect(check.status == 3)
        var missing: [String: [String]] = [:]
        for m in try check.json()["unpriced_models"]?.array ?? [] {
            missing[m["model"]?.string ?? ""] = m["missing"]?.array?.compactMap(\.string)
        }
        #expect(missing == [
            "gpt-4o": ["no fee for tool `code_interpreter`"],
            "claude-sonnet-4-5": ["no price for inference_geo `us`"],
            "gpt-4o-mini": ["no audio output rate"],
        ])
        let text = try w.run(["prices", "check"])
        #expect(text.stdout.contains("no fee for tool `code_interpreter`"))
    }
}
