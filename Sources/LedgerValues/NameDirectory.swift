/// The names behind the ids of every dimension, read once for a report.
public struct NameDirectory: Sendable {
    package var names: [CallDimension: [Int64: String]]

    public init(_ names: [CallDimension: [Int64: String]]) { self.names = names }

    public func name(_ d: CallDimension, _ id: Int64?) -> String? {
        guard let id else { return nil }
        return names[d]?[id]
    }

    /// All ids and names of a dimension.
    public func all(_ d: CallDimension) -> [Int64: String] { names[d] ?? [:] }
}
