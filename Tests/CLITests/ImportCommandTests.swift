import Foundation
import Testing

@Suite struct ImportCommandTests {
    @Test func claudeCodeWithoutPathsReadsClaudesFolders() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.sqlite").path
        let config = CLI.fixtures.appendingPathComponent("claude-code").path
        let r = try CLI.run(["import", "--db", db, "--format", "claude-code", "--quiet"],
                            environment: ["CLAUDE_CONFIG_DIR": config, "HOME": dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Imported 6 requests from 3 of 3 input(s)"))
    }

    @Test func claudeCodeWithoutDataSaysWhereItLooked() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["import", "--db", dir.appendingPathComponent("t.sqlite").path, "--format", "claude-code"],
                            environment: ["CLAUDE_CONFIG_DIR": "", "XDG_CONFIG_HOME": "", "HOME": dir.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no Claude Code data in \(dir.path)/.config/claude/projects, \(dir.path)/.claude/projects"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("t.sqlite").path))
    }

    @Test func otherFormatsNeedPaths() throws {
        for arguments in [["import"], ["import", "--format", "otlp"]] {
            let r = try CLI.run(arguments)
            #expect(r.status == 64)
            #expect(r.stderr.contains("give the files or directories to import"))
        }
    }

    @Test func detectsEachNewFormat() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = ["otel/genai-current.jsonl", "otel/pretty-request.json", "litellm/spend-logs.json", "litellm/spend-logs.csv"]
        let r = try CLI.run(["import", "--db", dir.appendingPathComponent("t.sqlite").path, "--quiet", "--json"]
                            + inputs.map { CLI.fixtures.appendingPathComponent($0).path })
        #expect(r.status == 0, "\(r.stderr)")
        for format in ["\"otlp\"", "\"otlp-json\"", "\"litellm\"", "\"litellm-csv\""] {
            #expect(r.stdout.contains(format), "\(format) not in \(r.stdout)")
        }
    }
}
