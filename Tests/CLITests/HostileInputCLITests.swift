import Foundation
import Testing
import TestSupport
import TokenLedger

/// Hostile inputs through the binary: exit status, what it prints, and its peak memory.
@Suite(.timeLimit(.minutes(5)))
struct HostileInputCLITests {
    /// Runs `tokenledger` under `/usr/bin/time` and returns the result with the child's peak resident
    /// set in KiB (nil where `/usr/bin/time` is missing).
    static func runMeasured(_ arguments: [String], in workspace: CLIWorkspace) throws -> (CLI.Result, peakKiB: Int?) {
        let time = "/usr/bin/time"
        guard FileManager.default.isExecutableFile(atPath: time) else { return (try workspace.run(arguments), nil) }
        let report = workspace.path("time-\(UUID().uuidString).txt")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: time)
        process.arguments = ["-o", report, "-f", "%M", CLI.binary.path] + arguments + ["--db", workspace.db]
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "TOKENLEDGER_DB")
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        let peak = (try? String(contentsOfFile: report, encoding: .utf8))?
            .split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return (CLI.Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                           stderr: String(decoding: errData, as: UTF8.self)), peak)
    }

    static func call(_ id: String) -> String {
        #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"\#(id)","model":"gpt-4o-mini","input_tokens":100,"output_tokens":10}"#
    }

    /// Writes `parts`, each repeated, into a file without holding it in memory.
    static func writeLarge(_ path: String, _ parts: [(Data, Int)]) throws {
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        for (data, times) in parts { for _ in 0..<times { try handle.write(contentsOf: data) } }
    }

    @Test func a50MBLineIsRejectedInBoundedMemory() throws {
        let w = try CLIWorkspace()
        let path = w.path("long.jsonl")
        try Self.writeLarge(path, [
            (Data((Self.call("before") + "\n").utf8), 1),
            (Data(#"{"request_id":"long","model":"gpt-4o","pad":""#.utf8), 1),
            (Data(repeating: 0x61, count: 1 << 20), 50),
            (Data("\"}\n".utf8), 1),
            (Data((Self.call("after") + "\n").utf8), 1),
        ])
        let (r, peak) = try Self.runMeasured(["import", "--quiet", path], in: w)
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stdout.contains("Imported 2 requests"))
        #expect(r.stdout.contains("line_too_long: 1"))
        if let peak {
            // The line is skipped while it is read: memory stays far below the line's size plus the file's.
            #expect(peak < 160 * 1024, "peak RSS \(peak) KiB")
        }
        let rejects = try w.run(["rejects", "--format", "json"])
        #expect(rejects.status == 0)
        #expect(try rejects.json()["rejects"]?.array?.first?["reason"]?.string == "line_too_long")
    }

    @Test func a50MBSingleLineDocumentIsReadInBoundedMemory() throws {
        // One JSON document (a LiteLLM spend-log array) written on a single 50 MB line.
        let w = try CLIWorkspace()
        let path = w.path("spend.json")
        let row = #"{"request_id":"r-%d","call_type":"acompletion","spend":0.0001,"total_tokens":30,"prompt_tokens":20,"completion_tokens":10,"startTime":"2026-01-08T12:00:00Z","endTime":"2026-01-08T12:00:01Z","model":"gpt-4o-mini","custom_llm_provider":"openai","metadata":{},"status":"success","pad":"\#(String(repeating: "x", count: 800))"}"#
        let count = 50 * 1024 * 1024 / row.utf8.count
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.write(contentsOf: Data("[".utf8))
        for i in 0..<count {
            try handle.write(contentsOf: Data(((i > 0 ? "," : "") + row.replacingOccurrences(of: "%d", with: String(i))).utf8))
        }
        try handle.write(contentsOf: Data("]".utf8))
        try handle.close()
        let (r, peak) = try Self.runMeasured(["import", "--quiet", path], in: w)
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stdout.contains("Imported \(count) requests"), "\(r.stdout)")
        if let peak {
            #expect(peak < 1024 * 1024, "peak RSS \(peak) KiB for a \(count)-row 50 MB document")
        }
    }

    @Test func exitStatusOfBrokenInputs() throws {
        let w = try CLIWorkspace()
        // An empty file is read and holds nothing.
        let empty = try w.write("empty.jsonl", "")
        let e = try w.run(["import", "--quiet", empty])
        #expect(e.status == 0, "\(e.output)")
        #expect(e.stdout.contains("Imported 0 requests"))

        // A gzip file cut short: the lines before the cut are kept, the status says the file was not read.
        var text = ""
        for i in 0..<3_000 { text += Self.call("gz-\(i)") + "\n" }
        let compressed = gzipCompress(Array(text.utf8))
        let cut = w.path("cut.jsonl.gz")
        try Data(compressed.prefix(compressed.count / 2)).write(to: URL(fileURLWithPath: cut))
        let g = try w.run(["import", "--quiet", cut])
        #expect(g.status == 1)
        #expect(g.output.contains("gzip data is truncated"))

        // A symbolic link loop named on the command line.
        try FileManager.default.createSymbolicLink(atPath: w.path("loop.jsonl"), withDestinationPath: "loop.jsonl")
        let l = try w.run(["import", "--quiet", w.path("loop.jsonl"), empty])
        #expect(l.status == 1)
        #expect(l.output.contains("symbolic links"))

        // A directory that loops through a link is walked once.
        _ = try w.write("tree/a/one.jsonl", Self.call("tree-1") + "\n")
        try FileManager.default.createSymbolicLink(atPath: w.path("tree/a/loop"), withDestinationPath: "..")
        let t = try w.run(["import", "--quiet", w.path("tree")])
        #expect(t.status == 0, "\(t.output)")
        #expect(t.stdout.contains("Imported 1 requests"))

        // Bytes that are no format at all.
        let junk = w.path("junk.jsonl")
        try Data([0x00, 0xFF, 0xFE, 0x0A, 0x5B, 0x5B]).write(to: URL(fileURLWithPath: junk))
        let j = try w.run(["import", "--quiet", junk])
        #expect(j.status == 1)
        #expect(j.output.contains("format not recognised"))

        // The database is whole after all of it.
        let s = try w.run(["summary", "--format", "json"])
        #expect(s.status == 0, "\(s.output)")
    }
}
