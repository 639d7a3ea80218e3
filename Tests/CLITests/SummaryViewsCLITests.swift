import Foundation
import Testing
import TokenLedger

/// `summary --by` beyond model, tier, workflow, team and day; nested breakdowns; ccusage's dates.
@Suite struct SummaryViewsCLITests {
    /// Three calls in two files: two with every routing field and metadata, one with none.
    static func workspace() throws -> (CLIWorkspace, a: String, b: String) {
        let w = try CLIWorkspace()
        let a = try w.write("logs/a.jsonl", [
            #"{"timestamp":"2026-10-05T10:15:00Z","request_id":"r1","model":"gpt-4o-mini","input_tokens":1000,"output_tokens":100,"user_id":"u1","user_segment":"enterprise","project":"helpdesk","api_key_id":"key-1","provider":"openai","metadata":{"env":"prod","tags":["web","beta"]}}"#,
            #"{"timestamp":"2026-10-12T23:30:00Z","request_id":"r2","model":"claude-haiku-4-5","input_tokens":2000,"output_tokens":200,"user_id":"u2","user_segment":"free","project":"search","api_key_id":"key-2","provider":"anthropic","metadata":{"env":"dev"}}"#,
        ].joined(separator: "\n") + "\n")
        let b = try w.write("logs/b.jsonl", #"{"timestamp":"2026-11-02T10:45:00Z","request_id":"r3","model":"gpt-4o-mini","input_tokens":3000,"output_tokens":300}"# + "\n")
        let r = try w.run(["import", a, b])
        #expect(r.status == 0, "\(r.output)")
        return (w, a, b)
    }

    /// Group name → requests.
    static func groups(_ json: JSONValue) -> [String: Int64] {
        var out: [String: Int64] = [:]
        for g in json["groups"]?.array ?? [] { out[g["name"]?.string ?? "?"] = g["requests"]?.int64 }
        return out
    }

    @Test func everyRoutingFieldSourceAndTag() throws {
        let (w, a, b) = try Self.workspace()
        let expected: [String: [String: Int64]] = [
            "user": ["u1": 1, "u2": 1, "(no user)": 1],
            "segment": ["enterprise": 1, "free": 1, "(no segment)": 1],
            "project": ["helpdesk": 1, "search": 1, "(no project)": 1],
            "api-key": ["key-1": 1, "key-2": 1, "(no api key)": 1],
            "provider": ["openai": 1, "anthropic": 1, "(no provider)": 1],
            "source": [a: 2, b: 1],
            "tag:env": ["prod": 1, "dev": 1, "(no env)": 1],
            "tag:tags": ["web, beta": 1, "(no tags)": 2],
        ]
        for (by, groups) in expected {
            let json = try w.summary(["--by", by])
            #expect(json["group_by"]?.string == by)
            #expect(Self.groups(json) == groups, "\(by)")
            let csv = try w.run(["summary", "--by", by, "--format", "csv"])
            #expect(csv.stdout.hasPrefix("\(by),requests,"), "\(by)")
        }
        let text = try w.run(["summary", "--by", "api-key"])
        #expect(text.stdout.contains("by api-key"))
        #expect(text.stdout.contains("key-2"))
    }

    @Test func spansOfTimeInTheTimeZoneInTimeOrder() throws {
        let (w, _, _) = try Self.workspace()
        func names(_ by: String, _ extra: [String] = []) throws -> [String] {
            try w.summary(["--by", by] + extra)["groups"]?.array?.map { $0["name"]?.string ?? "" } ?? []
        }
        #expect(try names("hour") == ["2026-10-05 10:00", "2026-10-12 23:00", "2026-11-02 10:00"])
        // Berlin: UTC+2 until 25 October, then UTC+1; the second call is on the 13th there.
        #expect(try names("hour", ["--tz", "Europe/Berlin"]) == ["2026-10-05 12:00", "2026-10-13 01:00", "2026-11-02 11:00"])
        #expect(try names("week") == ["2026-W41", "2026-W42", "2026-W45"])
        #expect(try names("month") == ["2026-10", "2026-11"])
        #expect(try w.summary(["--by", "month"])["groups"]?.array?.map { $0["requests"]?.int64 ?? 0 } == [2, 1])
        // Kolkata (UTC+05:30): the 23:30 call is the next day.
        #expect(try names("day", ["--tz", "Asia/Kolkata"]) == ["2026-10-05", "2026-10-13", "2026-11-02"])
    }

    @Test func severalDimensionsNest() throws {
        let (w, _, _) = try Self.workspace()
        let json = try w.summary(["--by", "month,model"])
        #expect(json["group_by"]?.string == "month,model")
        #expect(json["dimensions"]?.array?.compactMap(\.string) == ["month", "model"])
        let months = try #require(json["groups"]?.array)
        #expect(months.map { $0["name"]?.string } == ["2026-10", "2026-11"])
        let october = try #require(months[0]["groups"]?.array)
        #expect(Set(october.compactMap { $0["name"]?.string }) == ["gpt-4o-mini", "claude-haiku-4-5"])
        // Each level adds up exactly to its parent.
        for month in months {
            let inner = month["groups"]?.array ?? []
            #expect(inner.compactMap { picos($0["cost_usd"]?.string) }.reduce(0, +) == picos(month["cost_usd"]?.string))
            #expect(inner.compactMap { $0["requests"]?.int64 }.reduce(0, +) == month["requests"]?.int64)
            #expect(inner.allSatisfy { $0["groups"] == nil })
        }

        // The text is a breakdown table: a month's row, then its models indented under it.
        let text = try w.run(["summary", "--by", "month,model"]).stdout
        #expect(text.contains("by month, model"))
        let lines = text.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("month") })
        #expect(header.contains("model"))
        let october2 = try #require(lines.firstIndex { $0.hasPrefix("2026-10 ") })
        #expect(lines[october2 + 1].hasPrefix("        ") && lines[october2 + 2].hasPrefix("        "))
        #expect(Set([lines[october2 + 1], lines[october2 + 2]].map { $0.split(separator: " ").first.map(String.init) ?? "" })
                == ["gpt-4o-mini", "claude-haiku-4-5"])
        #expect(lines[october2 + 3].hasPrefix("2026-11 "))
        #expect(lines[october2 + 4].trimmingCharacters(in: .whitespaces).hasPrefix("gpt-4o-mini"))

        // CSV: one row per model of each month, with both columns.
        let csv = try w.run(["summary", "--by", "month,model", "--format", "csv"]).stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(csv.first?.hasPrefix("month,model,requests,") == true)
        #expect(csv.contains { $0.hasPrefix("2026-11,gpt-4o-mini,1,") })
        #expect(csv.last?.hasPrefix("total,,3,") == true)
        #expect(csv.count == 1 + 3 + 1)
    }

    @Test func badDimensionsAreUsageErrors() throws {
        let (w, _, _) = try Self.workspace()
        for by in ["weekday", "day,day", "tag:", "model,", "tag:a\"b"] {
            let r = try w.run(["summary", "--by", by])
            #expect(r.status == 64, "\(by): \(r.output)")
        }
        let r = try w.run(["summary", "--by", "weekday"])
        #expect(r.stderr.contains("api-key") && r.stderr.contains("tag:NAME"))
    }

    @Test func sinceAndUntilTakeCompactAndDashedDays() throws {
        let (w, _, _) = try Self.workspace()
        let dashed = try w.summary(["--from", "2026-10-05", "--to", "2026-10-12"])
        #expect(dashed["total"]?["requests"]?.int64 == 2)
        #expect(try w.summary(["--since", "20261005", "--until", "20261012"]) == dashed)
        #expect(try w.summary(["--since", "2026-10-05", "--until", "20261012"]) == dashed)
        #expect(try w.summary(["--since", "20261013"])["total"]?["requests"]?.int64 == 1)
        for bad in [["--since", "2026105"], ["--until", "20261332"], ["--since", "20261012", "--until", "20261005"]] {
            let r = try w.run(["summary"] + bad)
            #expect(r.status == 64, "\(bad): \(r.output)")
        }
        // The other commands' periods take them too.
        let focus = try w.run(["export", "focus", "--since", "20261101", "-o", "-"])
        #expect(focus.status == 0, "\(focus.output)")
        #expect(!focus.stdout.contains("2026-10-05T00:00:00Z,2026-10-06"))
        #expect(focus.stdout.contains("2026-11-02T00:00:00Z"))
    }
}
