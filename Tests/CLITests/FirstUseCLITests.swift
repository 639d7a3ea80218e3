import Foundation
import Testing
import TokenLedger

/// A first import of a wrong file says so: it exits 1 after importing the rest, and names the file and why.
@Suite struct FirstUseCLITests {
    @Test func aProviderCSVWithARenamedColumnExitsOneNamingTheFileAndTheColumn() throws {
        let w = try CLIWorkspace()
        let csv = try w.write("usage.csv", """
            start_time,end_time,project_id,num_model_requests,model,input_tokens,completion_tokens
            1759622400,1759708800,p,1,gpt-4o,100,10
            1759622400,1759708800,p,1,gpt-4o-mini,100,10

            """)
        let good = try w.write("good.jsonl", #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"g","model":"gpt-4o-mini","input_tokens":10,"output_tokens":1}"# + "\n")
        let r = try w.run(["import", csv, good])
        #expect(r.status == 1, "\(r.output)")
        #expect(r.stdout.contains("\(csv): error: no row was imported: all 2 row(s) were rejected"), "\(r.output)")
        #expect(r.stdout.contains("output_tokens (no such column in the header)"), "\(r.output)")
        #expect(r.stdout.contains("Rejected 2 row(s)"), "\(r.output)")
        #expect(try w.summary()["total"]?["requests"]?.int64 == 1)

        let json = try w.run(["import", csv, "--json"])
        #expect(json.status == 1)
        #expect(try json.json()["files"]?.array?.first?["status"]?.string == "failed")
    }

    @Test func anUnrecognisedCSVNamesTheClosestFormat() throws {
        let w = try CLIWorkspace()
        let csv = try w.write("usage.csv", "start_time,end_time,model,requests,input_tokens,output_tokens\n1759622400,1759708800,gpt-4o,1,100,10\n")
        let r = try w.run(["import", csv])
        #expect(r.status == 1)
        #expect(r.stdout.contains("closest format: openai-usage-csv (missing columns: num_model_requests); pass --format"), "\(r.output)")
    }
}

@Suite struct BadFirstLineCLITests {
    @Test func aLogOnStandardInputWithAPartialFirstLineIsImported() throws {
        let w = try CLIWorkspace()
        let calls = (1...3).map { #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"s\#($0)","model":"gpt-4o-mini","input_tokens":10,"output_tokens":1}"# }
        let text = #"out_tokens":1}"# + "\n" + calls.joined(separator: "\n") + "\n"
        let r = try w.run(["import", "-", "--json"], stdin: Data(text.utf8))
        #expect(r.status == 0, "\(r.output)")
        let json = try r.json()
        #expect(json["rows_imported"]?.int64 == 3)
        #expect(json["rejected"]?.int64 == 1)
        #expect(json["files"]?.array?.first?["format"]?.string == "routing-log")
    }
}

#if canImport(Glibc)
import Glibc
#endif

@Suite struct InterruptCLITests {
    @Test func ctrlCStopsAfterACommitSaysHowFarAndTheNextRunResumes() throws {
        let w = try CLIWorkspace()
        let log = try w.sample("traffic.jsonl", calls: 150_000, seed: 7, days: 7)
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["import", log, "--db", w.db, "--quiet"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        nonisolated(unsafe) var outData = Data()
        let reading = DispatchGroup()
        reading.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            reading.leave()
        }
        while process.isRunning && KillMidwayTests.committedLines(w.db) == 0 { Thread.sleep(forTimeInterval: 0.05) }
        let wasRunning = process.isRunning
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        reading.wait()
        let stdout = String(decoding: outData, as: UTF8.self)
        try #require(wasRunning, "the import ended before its first commit could be interrupted")
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(process.terminationStatus): \(stdout)")
        let committed = KillMidwayTests.committedLines(w.db)
        #expect(committed > 0)
        #expect(stdout.contains("traffic.jsonl: interrupted: committed up to line \(committed) "), "\(stdout)")
        #expect(stdout.contains("Run the same import again: it resumes where it stopped."), "\(stdout)")

        let again = try w.run(["import", log, "--quiet"])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.stdout.contains("traffic.jsonl: resuming after line \(committed), where an earlier import stopped"), "\(again.stdout)")
        #expect(!again.stdout.contains("grown since"))
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count
        #expect(try w.summary()["total"]?["requests"]?.int64 == Int64(lines))
    }
}

@Suite struct WeekOptionCLITests {
    @Test func aMonthGivenAsAWeekAndAWeekThatDoesNotExistAreErrors() throws {
        let w = try CLIWorkspace()
        try w.run(["import", fixture("valid.jsonl")])
        let month = try w.run(["report", "--week", "2026-10"])
        #expect(month.status == 64, "\(month.output)")
        #expect(month.stderr.contains("`2026-10` is a month, not a week"), "\(month.stderr)")
        let missing = try w.run(["report", "--week", "2026-W99"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("week `2026-W99` does not exist: 2026 has ISO weeks W01 to W53"), "\(missing.stderr)")
        #expect(try w.run(["report", "--week", "2026-W41"]).status == 0)
    }
}

/// Errors name their real cause, not the last error of the library that met it.
@Suite struct RealCauseCLITests {
    @Test(.enabled(if: !FaultTests.isRoot || SmallDisk.available,
                   "as root file permissions do not apply, and no read-only tmpfs could be mounted instead"))
    func aDatabaseInAFolderThatMayNotBeWrittenSaysSo() throws {
        let w = try CLIWorkspace()
        let log = try w.write("calls.jsonl", #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"a","model":"gpt-4o-mini","input_tokens":10,"output_tokens":1}"# + "\n")
        let expected: String
        let folder: String
        var disk: SmallDisk?
        if FaultTests.isRoot, let d = SmallDisk(at: w.path("disk"), megabytes: 1) {
            // Root may write any folder: a read-only file system stands in for a folder it may not write.
            disk = d
            d.makeReadOnly(true)
            folder = d.path
            expected = "its folder \(folder) is on a read-only file system, so the database cannot be created there"
        } else {
            folder = w.path("locked")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
            expected = "you may not write to its folder \(folder) (permission denied), so the database cannot be created there"
        }
        defer {
            disk?.unmount()
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        }
        let r = try CLI.run(["import", log, "--db", folder + "/ledger.sqlite"])
        #expect(r.status == 1)
        #expect(r.stderr.contains(expected), "\(r.stderr)")
    }

    @Test func aDatabaseWhoseFolderDoesNotExistOrThatIsAFolderSaysSo() throws {
        let w = try CLIWorkspace()
        let log = try w.write("calls.jsonl", #"{"timestamp":"2026-10-05T10:00:00Z","request_id":"a","model":"gpt-4o-mini","input_tokens":10,"output_tokens":1}"# + "\n")
        let missing = try CLI.run(["import", log, "--db", w.path("no/such/ledger.sqlite")])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("its folder \(w.path("no/such")) does not exist"), "\(missing.stderr)")
        try FileManager.default.createDirectory(atPath: w.path("a-folder"), withIntermediateDirectories: true)
        let folder = try CLI.run(["import", log, "--db", w.path("a-folder")])
        #expect(folder.status == 1)
        #expect(folder.stderr.contains("it is a folder, not a database file"), "\(folder.stderr)")
    }

    @Test func aBudgetThatIsAFolderSaysSo() throws {
        let w = try CLIWorkspace()
        try w.run(["import", fixture("valid.jsonl")])
        try FileManager.default.createDirectory(atPath: w.path("budget"), withIntermediateDirectories: true)
        let r = try w.run(["report", "--budget", w.path("budget")])
        #expect(r.status != 0)
        #expect(r.stderr.contains("cannot read the file: it is a folder, not a file"), "\(r.stderr)")
        #expect(!r.stderr.contains("NSCocoaErrorDomain"), "\(r.stderr)")
        let none = try w.run(["report", "--budget", w.path("none.yaml")])
        #expect(none.stderr.contains("cannot read the file: no such file"), "\(none.stderr)")
    }
}
