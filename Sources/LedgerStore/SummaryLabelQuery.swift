import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// Reads what a summary shows for ids that ``NameDirectory`` does not name: the paths calls were
/// imported from and the values of metadata keys.
public struct SummaryLabelQuery {
    let db: Database

    public init(db: Database) { self.db = db }

    /// The names, and the sources, tag values and price-book models (from `book`) that `dimensions` need.
    public func labels(for dimensions: [SummaryDimension], book: PriceBook? = nil) throws -> SummaryLabels {
        var labels = SummaryLabels(names: try NameDirectory(db: db))
        for d in dimensions {
            switch d {
            case .model:
                guard let book else { break }
                let grouping = ModelGrouping(names: labels.names.all(.model), identity: { book.identity(of: $0) })
                for (id, group) in grouping.groupOf { labels.models[id] = grouping.name[group] }
            case .source: labels.sources = try sourcePaths()
            case .tag(let key): labels.tags[key] = try tagValues(key)
            default: break
            }
        }
        return labels
    }

    /// Source id → the path as it was given to `import` (`-` for standard input).
    public func sourcePaths() throws -> [Int64: String] {
        let s = try db.prepare("SELECT id, path FROM sources")
        var out: [Int64: String] = [:]
        while try s.step() { out[s.int64(0)] = s.text(1) ?? "" }
        return out
    }

    /// Metadata id → the value of `key`: at the top of the metadata object, else inside a LiteLLM row's
    /// `spend_logs_metadata`. A list's values are joined by `, ` (`["prod", "web"]` → `prod, web`), so
    /// that each call is in one group; metadata without the key (or with null or an empty list) is left out.
    public func tagValues(_ key: String) throws -> [Int64: String] {
        let s = try db.prepare("""
            SELECT id, type, CASE WHEN type IN ('true', 'false') THEN type ELSE value END FROM (
                SELECT id,
                       coalesce(json_type(name, ?1), json_type(name, ?2)) AS type,
                       CASE WHEN json_type(name, ?1) IS NOT NULL THEN json_extract(name, ?1) ELSE json_extract(name, ?2) END AS value
                FROM metadata WHERE json_valid(name))
            WHERE type IS NOT NULL AND type != 'null'
            """)
        s.bind("$.\"\(key)\"", at: 1)
        s.bind("$.spend_logs_metadata.\"\(key)\"", at: 2)
        var out: [Int64: String] = [:]
        while try s.step() {
            guard let value = s.text(2) else { continue }
            if s.text(1) == "array" {
                guard case .array(let items)? = try? JSONValue.parse(value), !items.isEmpty else { continue }
                out[s.int64(0)] = items.map { $0.string ?? $0.compactText }.joined(separator: ", ")
            } else if !value.isEmpty {
                out[s.int64(0)] = value
            }
        }
        return out
    }
}
