import Foundation
import LedgerValues

extension CodexImporter {
    /// The folders Codex keeps session files in: `sessions` and `archived_sessions` under `CODEX_HOME`
    /// when it is set, otherwise under `~/.codex` (as Codex itself and ccusage resolve them).
    ///
    ///     candidateDirectories(environment: ["CODEX_HOME": "~/work/codex"], home: "/home/me")
    ///     // ["/home/me/work/codex/sessions", "/home/me/work/codex/archived_sessions"]
    ///
    /// An archived session is the same file moved: importing both folders counts it once (the same
    /// content is recognised, and its request ids are the same).
    public static func candidateDirectories(environment: [String: String], home: String) -> [String] {
        var root = environment["CODEX_HOME"]?.trimmingCharacters(in: .whitespaces) ?? ""
        if root.isEmpty { root = home + "/.codex" }
        if root == "~" { root = home } else if root.hasPrefix("~/") { root = home + root.dropFirst(1) }
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        return [root + "/sessions", root + "/archived_sessions"]
    }

    /// The ``candidateDirectories(environment:home:)`` that exist as directories.
    public static func defaultDirectories(environment: [String: String], home: String) -> [String] {
        candidateDirectories(environment: environment, home: home).filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }
}
