import Foundation
import LedgerValues

extension ClaudeCodeImporter {
    /// The folders Claude Code may keep session files in, in the order ccusage searches them: each
    /// entry of `CLAUDE_CONFIG_DIR` (a comma-separated list of config folders, or of their `projects`
    /// folders) when it is set; otherwise `$XDG_CONFIG_HOME/claude/projects` (by default
    /// `~/.config/claude/projects`) and `~/.claude/projects`.
    ///
    ///     candidateDirectories(environment: ["CLAUDE_CONFIG_DIR": "~/a,/b/projects"], home: "/home/me")
    ///     // ["/home/me/a/projects", "/b/projects"]
    ///
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - home: the home directory, for `~` and the defaults.
    /// - Returns: the `projects` folders to read, without duplicates; they need not exist.
    public static func candidateDirectories(environment: [String: String], home: String) -> [String] {
        func expand(_ raw: String) -> String {
            if raw == "~" { return home }
            if raw.hasPrefix("~/") { return home + raw.dropFirst(1) }
            return raw
        }
        func projects(_ dir: String) -> String {
            var d = dir
            while d.count > 1, d.hasSuffix("/") { d.removeLast() }
            return d.hasSuffix("/projects") || d == "projects" ? d : d + "/projects"
        }
        var out: [String] = []
        if let list = environment["CLAUDE_CONFIG_DIR"], !list.trimmingCharacters(in: .whitespaces).isEmpty {
            for entry in list.split(separator: ",") {
                let raw = entry.trimmingCharacters(in: .whitespaces)
                if !raw.isEmpty { out.append(projects(expand(raw))) }
            }
        } else {
            let xdg = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
            out = [xdg + "/claude/projects", home + "/.claude/projects"]
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    /// The ``candidateDirectories(environment:home:)`` that exist as directories.
    public static func defaultDirectories(environment: [String: String], home: String) -> [String] {
        candidateDirectories(environment: environment, home: home).filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }
}
