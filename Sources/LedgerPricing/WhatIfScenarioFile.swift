import Foundation
import LedgerIngest
import LedgerValues
import Yams

/// Reads a scenario file (YAML, `docs/whatif.md`): named scenarios, in file order, each with the keys of
/// the command-line options. Paths inside are relative to the file's folder.
///
/// ```yaml
/// scenarios:
///   all-mini:
///     all_on: gpt-4o-mini
///   flash-summaries:
///     route: {summarize: gemini-2.5-flash}
///   next-month:
///     price_book: prices-next-month.yaml
///   free-on-economy:
///     segment: {free: economy}
///   table-v2:
///     budget: budget-v2.yaml
/// ```
public enum WhatIfScenarioFile {
    /// The keys of one scenario, and the option each stands for.
    public static let keys: [(key: String, option: String)] = [
        ("price_book", "--price-book"), ("all_on", "--all-on"), ("route", "--route"), ("budget", "--budget"),
        ("segment", "--segment"),
    ]

    /// Reads and parses the file at `path`; every problem names the file, the line and the key.
    public static func load(path: String) throws(ConfigFileError) -> [WhatIfScenarioSpec] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigFileError(file: path, line: nil, key: "", message: FileReadProblem.message(path, error: error))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigFileError(file: path, line: nil, key: "", message: "the file is not UTF-8 text")
        }
        return try parse(text: text, path: path)
    }

    /// Parses scenario-file YAML; `path` names the file in errors.
    public static func parse(text: String, path: String) throws(ConfigFileError) -> [WhatIfScenarioSpec] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw YAMLDiagnostics.syntaxError(error, file: path, text: text)
        }
        return try WhatIfScenarioFileReader(file: path).read(root)
    }

    /// The folder of a scenario file, against which its paths are read.
    public static func directory(of path: String) -> String {
        let d = (path as NSString).deletingLastPathComponent
        return d.isEmpty ? "." : d
    }
}

struct WhatIfScenarioFileReader: YAMLNodeReading {
    let file: String

    func read(_ root: Node?) throws(ConfigFileError) -> [WhatIfScenarioSpec] {
        guard let root else {
            throw ConfigFileError(file: file, line: nil, key: "", message: "the file is empty; expected a mapping with `scenarios`")
        }
        let top = try mapping(root, "", allowed: ["scenarios"])
        guard let list = top["scenarios"] else { throw fail(root, "", "missing required key `scenarios`") }
        guard case .mapping(let m) = list.value, !m.isEmpty else {
            throw fail(list.value, "scenarios", "expected a mapping of scenario names to their changes, got \(describe(list.value))")
        }
        var out: [WhatIfScenarioSpec] = []
        for (k, v) in m {
            guard case .scalar(let s) = k else { throw fail(k, "scenarios", "expected a scenario name, got \(describe(k))") }
            let name = s.string
            let path = "scenarios.\(name)"
            do throws(WhatIfScenarioError) { try WhatIfScenarioSpec.checkName(name) } catch { throw fail(k, path, error.message) }
            guard !out.contains(where: { $0.name == name }) else { throw fail(k, path, "the scenario appears twice") }
            let fields = try mapping(v, path, allowed: WhatIfScenarioFile.keys.map(\.key))
            var spec = WhatIfScenarioSpec(name: name)
            for (key, option) in WhatIfScenarioFile.keys {
                guard let field = fields[key] else { continue }
                let at = "\(path).\(key)"
                do {
                    if key == "route" || key == "segment" {
                        for (pairKey, value) in try pairs(field.value, at) { try spec.set(option, "\(pairKey)=\(value)") }
                    } else {
                        try spec.set(option, try text(field.value, at, expected: key == "all_on" ? "a model" : "a file path"))
                    }
                } catch let e as WhatIfScenarioError {
                    throw fail(field.value, at, e.message)
                } catch let e as ConfigFileError {
                    throw e
                } catch {
                    throw fail(field.value, at, "\(error)")
                }
            }
            do throws(WhatIfScenarioError) { try spec.validate() } catch { throw fail(v, path, error.message) }
            out.append(spec)
        }
        return out
    }

    /// A mapping of plain keys to plain values, in file order.
    func pairs(_ node: Node, _ path: String) throws(ConfigFileError) -> [(String, String)] {
        guard case .mapping(let m) = node else {
            throw fail(node, path, "expected a mapping such as {summarize: gemini-2.5-flash}, got \(describe(node))")
        }
        var out: [(String, String)] = []
        for (k, v) in m {
            guard case .scalar(let s) = k else { throw fail(k, path, "expected a plain key, got \(describe(k))") }
            out.append((s.string, try text(v, "\(path).\(s.string)", expected: "a model or a tier")))
        }
        return out
    }
}
