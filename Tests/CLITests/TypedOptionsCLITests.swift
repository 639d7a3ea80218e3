import Foundation
import Testing
import TokenLedger

/// `--format`, `--fail-on`, `--by` and `--table` take exactly what each command does, `--json` is
/// `--format json`, and `--db` goes before or after the command.
@Suite struct TypedOptionsCLITests {
    static func workspace() throws -> CLIWorkspace {
        let w = try CLIWorkspace()
        let r = try w.run(["import", fixture("valid.jsonl")])
        #expect(r.status == 0, "\(r.output)")
        return w
    }

    @Test func formatsACommandDoesNotRenderAreUsageErrors() throws {
        let w = try Self.workspace()
        let refused: [[String]] = [
            ["rejects", "--format", "html"],
            ["prices", "list", "--format", "xml"],
            ["prices", "check", "--format", "csv"],
            ["prices", "diff", fixture("valid.jsonl"), "--format", "yaml"],
            ["summary", "--format", "markdown"],
            ["whatif", "--all-on", "gpt-4o-mini", "--format", "csv"],
            ["reconcile", "--format", "csv"],
            ["report", "--format", "pdf"],
            ["explain", "--format", "yaml"],
            ["report", "--fail-on", "info"],
            ["report", "--table", "nope"],
            ["explain", "--by", "user"],
            ["summary", "--json", "--format", "csv"],
        ]
        for arguments in refused {
            let r = try w.run(arguments)
            #expect(r.status == 64, "\(arguments): \(r.status) \(r.output)")
            #expect(r.stdout.isEmpty, "\(arguments)")
        }
    }

    @Test func helpListsExactlyTheFormatsRendered() throws {
        let expected: [([String], String)] = [
            (["summary"], "text, json, csv"),
            (["report"], "text, markdown, json, html, csv"),
            (["explain"], "text, markdown, json, html, csv"),
            (["whatif"], "text, markdown, json, html"),
            (["reconcile"], "text, markdown, json, html"),
            (["rejects"], "text, json"),
            (["prices", "list"], "text, json, yaml"),
            (["prices", "check"], "text, json"),
            (["prices", "diff"], "text, json"),
        ]
        for (command, formats) in expected {
            let r = try CLI.run(command + ["--help"])
            let help = r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            #expect(help.contains("(values: \(formats))"), "\(command): \(help)")
            #expect(help.contains("--json"), "\(command)")
        }
        let report = try CLI.run(["report", "--help"]).stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        #expect(report.contains("(values: warning, critical)"))
        #expect(report.contains("(values: workflows, cost,"))
    }

    @Test func jsonIsFormatJSONEverywhere() throws {
        let w = try Self.workspace()
        let commands: [[String]] = [
            ["summary"], ["rejects"], ["prices", "list", "--model", "gpt-4o-mini"], ["prices", "diff", CLI.fixtures.appendingPathComponent("prices/user-prices.yaml").path],
            ["report", "--from", "2026-10-05", "--to", "2026-10-05"], ["explain", "--base", "2026-10-04", "--compare", "2026-10-05"],
            ["whatif", "--all-on", "gpt-4o-mini", "--from", "2026-10-05", "--to", "2026-10-05"],
        ]
        for command in commands {
            let viaFormat = try w.run(command + ["--format", "json"])
            let viaFlag = try w.run(command + ["--json"])
            #expect(viaFlag.status == viaFormat.status, "\(command): \(viaFlag.output)")
            #expect(viaFlag.stdout == viaFormat.stdout, "\(command)")
            #expect((try? JSONValue.parse(viaFlag.stdout)) != nil, "\(command): \(viaFlag.output)")
        }
        // prices check exits 3 (unpriced models) with the same JSON.
        let check = try w.run(["prices", "check", "--json"])
        #expect(check.status == 3)
        #expect(try check.json()["unpriced_models"]?.array?.isEmpty == false)
        #expect(try w.run(["summary", "--json", "--format", "json"]).status == 0)
    }

    @Test func theDatabaseOptionGoesBeforeOrAfterTheCommand() throws {
        let w = try Self.workspace()
        let after = try w.summary()
        let before = try CLI.run(["--db", w.db, "summary", "--json"], directory: w.url)
        #expect(before.status == 0, "\(before.output)")
        #expect(try before.json() == after)
        let equals = try CLI.run(["--db=\(w.db)", "summary", "--by", "provider", "--json"], directory: w.url)
        #expect(try equals.json()["group_by"]?.string == "provider")
        // A subcommand's subcommand.
        let list = try CLI.run(["--db", w.db, "prices", "list", "--model", "gpt-4o-mini", "--json"], directory: w.url)
        #expect(list.status == 0, "\(list.output)")
        let other = w.path("other.sqlite")
        let imported = try CLI.run(["--db", other, "import", fixture("valid.jsonl")], directory: w.url)
        #expect(imported.status == 0, "\(imported.output)")
        #expect(FileManager.default.fileExists(atPath: other))
        #expect(!FileManager.default.fileExists(atPath: w.path("tokenledger.sqlite")))
        // The root's help says so.
        #expect(try CLI.run(["--help"]).stdout.contains("--db PATH"))
    }
}
