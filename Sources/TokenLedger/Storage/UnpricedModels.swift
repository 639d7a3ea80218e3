/// A model with stored requests that no price entry covers.
public struct UnpricedModel: Sendable, Equatable {
    public var model: String
    public var requests: Int64
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var first: Timestamp
    public var last: Timestamp
}

public enum UnpricedModels {
    /// Unpriced requests grouped by model, most requests first (reads a partial index: instant).
    public static func read(db: Database) throws -> [UnpricedModel] {
        let s = try db.prepare("""
            SELECT m.name, count(*), sum(r.input_tokens), sum(r.output_tokens), min(r.id), max(r.id)
            FROM requests r INDEXED BY requests_unpriced JOIN models m ON m.id = r.model_id
            WHERE r.cost IS NULL GROUP BY r.model_id ORDER BY count(*) DESC, m.name
            """)
        var out: [UnpricedModel] = []
        while try s.step() {
            out.append(UnpricedModel(model: s.text(0) ?? "", requests: s.int64(1), inputTokens: s.int64(2),
                                     outputTokens: s.int64(3), first: Timestamp(milliseconds: s.int64(4) >> 20),
                                     last: Timestamp(milliseconds: s.int64(5) >> 20)))
        }
        return out
    }
}
