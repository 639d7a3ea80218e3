import Yams

/// Reading a YAML node tree with located errors: the shared mechanism of TokenLedger's configuration
/// files. A reader names its file; every problem becomes a ``ConfigFileError`` with the line of the
/// node and the path of the key (`routes.faq.fallback_rate`).
package protocol YAMLNodeReading {
    var file: String { get }
}

extension YAMLNodeReading {
    package func fail(_ node: Node?, _ key: String, _ message: String) -> ConfigFileError {
        ConfigFileError(file: file, line: node?.mark?.line, key: key, message: message)
    }

    /// The pairs of a mapping by key text; unknown or repeated keys and non-scalar keys are errors.
    package func mapping(_ node: Node, _ path: String,
                 allowed: [String]) throws(ConfigFileError) -> [String: (key: Node, value: Node)] {
        guard case .mapping(let m) = node else {
            throw fail(node, path, "expected a mapping of keys to values, got \(describe(node))")
        }
        var out: [String: (key: Node, value: Node)] = [:]
        for (k, v) in m {
            guard case .scalar(let s) = k else { throw fail(k, path, "expected a plain key, got \(describe(k))") }
            let at = path.isEmpty ? s.string : "\(path).\(s.string)"
            guard allowed.contains(s.string) else {
                throw fail(k, at, "unknown key (expected one of: \(allowed.joined(separator: ", ")))")
            }
            guard out[s.string] == nil else { throw fail(k, at, "the key appears twice") }
            out[s.string] = (k, v)
        }
        return out
    }

    package func required<T>(_ m: [String: (key: Node, value: Node)], _ key: String, _ node: Node, _ path: String,
                     _ read: (Node, String) throws(ConfigFileError) -> T) throws(ConfigFileError) -> T {
        guard let v = m[key] else { throw fail(node, path, "missing required key `\(key)`") }
        return try read(v.value, "\(path).\(key)")
    }

    /// The text of a scalar that is not empty or null.
    package func text(_ node: Node, _ path: String, expected: String) throws(ConfigFileError) -> String {
        guard case .scalar(let s) = node else { throw fail(node, path, "expected \(expected), got \(describe(node))") }
        if s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string) {
            throw fail(node, path, "expected \(expected), got nothing")
        }
        return s.string
    }

    package func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): "\"\(s.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

}

/// Turning Yams' errors into located ones.
package enum YAMLDiagnostics {
    /// A YAML syntax error from Yams as a located error.
    package static func syntaxError(_ error: any Error, file: String, text: String) -> ConfigFileError {
        guard let e = error as? YamlError else {
            return ConfigFileError(file: file, line: nil, key: "", message: "invalid YAML: \(error)")
        }
        func located(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> ConfigFileError {
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return ConfigFileError(file: file, line: mark.line, key: "", message: message)
        }
        switch e {
        case .scanner(let context, let problem, let mark, _): return located(problem, context, mark)
        case .parser(let context, let problem, let mark, _): return located(problem, context, mark)
        case .composer(let context, let problem, let mark, _): return located(problem, context, mark)
        case .reader(let problem, let offset, _, _):
            let line = offset.map { o in text.prefix(o).reduce(1) { $1 == "\n" ? $0 + 1 : $0 } }
            return ConfigFileError(file: file, line: line, key: "", message: "invalid YAML text: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            var unique: [String] = []
            for d in duplicates where !unique.contains(d) { unique.append(d) }
            let names = unique.map { "`\($0)`" }.joined(separator: ", ")
            return ConfigFileError(file: file, line: context.mark.line, key: "", message: "a key appears twice in one mapping: \(names)")
        default:
            return ConfigFileError(file: file, line: nil, key: "", message: "invalid YAML: \(e)")
        }
    }
}
