import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

public enum UnpricedModels {
    /// Unpriced requests grouped by model, most requests first (reads a partial index: instant), with what
    /// `book` lacks to price them.
    public static func read(db: Database, book: PriceBook) throws -> [UnpricedModel] {
        let s = try db.prepare("""
            SELECT m.name, r.extras, count(*), sum(r.input_tokens), sum(r.output_tokens), min(r.id), max(r.id)
            FROM requests r INDEXED BY requests_unpriced JOIN models m ON m.id = r.model_id
            WHERE r.cost IS NULL GROUP BY r.model_id, r.extras
            """)
        var byModel: [String: UnpricedModel] = [:]
        while try s.step() {
            let name = s.text(0) ?? ""
            let first = Timestamp(milliseconds: s.int64(5) >> 20), last = Timestamp(milliseconds: s.int64(6) >> 20)
            var m = byModel[name] ?? UnpricedModel(model: name, requests: 0, inputTokens: 0, outputTokens: 0, first: first, last: last)
            m.requests += s.int64(2)
            m.inputTokens += s.int64(3)
            m.outputTokens += s.int64(4)
            m.first = min(m.first, first)
            m.last = max(m.last, last)
            let extras = s.text(1).flatMap(CallExtras.init(storedText:))
            for reason in reasons(model: name, extras: extras, at: first, book: book) where !m.missing.contains(reason) {
                m.missing.append(reason)
            }
            byModel[name] = m
        }
        return byModel.values.sorted { ($0.requests, $1.model) > ($1.requests, $0.model) }
    }

    /// Why a call of `model` with `extras` made at `time` has no price.
    static func reasons(model: String, extras: CallExtras?, at time: Timestamp, book: PriceBook) -> [String] {
        guard let entry = book.entry(for: model, at: time) else { return ["no price for the model on that day"] }
        var call = CallRecord(requestID: "", timestamp: time, model: model, inputTokens: 0, outputTokens: 0)
        call.extras = extras
        let gaps = entry.priceGaps(of: call)
        return gaps.isEmpty ? ["token counts that contradict each other"] : gaps.map(\.description)
    }
}
