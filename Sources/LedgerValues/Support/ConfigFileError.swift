/// A configuration file (price book, budget) that cannot be read or does not say what TokenLedger
/// needs, with where and why.
///
/// Prints like a compiler diagnostic:
///
///     prices.yaml:14: prices[3].per_million_tokens.output: expected a non-negative number of dollars per 1M tokens, got "abc"
public struct ConfigFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the caller named it.
    public var file: String
    /// 1-based line, when the problem has a place in the file.
    public var line: Int?
    /// The path of the offending value, e.g. `prices[3].per_million_tokens.output`; empty for the file.
    public var key: String
    /// What was expected and what was found.
    public var message: String

    /// An error at `line` of `file`, about the value at `key`.
    public init(file: String, line: Int?, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// `file:line: key: message`, parts omitted when unknown.
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if !key.isEmpty { s += key + ": " }
        return s + message
    }
}

/// Errors of price-book files.
public typealias PriceBookFileError = ConfigFileError
