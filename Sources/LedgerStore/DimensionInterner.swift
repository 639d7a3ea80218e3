import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// Maps repeated strings (model, workflow, team, user, …) to the ids of their rows in the dimension
/// tables, inserting names not stored yet. Nothing is cached: the import maps each name once per
/// input (see ``DimensionSymbols``), so memory does not grow with the number of names.
final class DimensionInterner {
    let db: Database
    /// Per dimension, the statements of ``storedID(_:named:)``, prepared on first use.
    private var lookups: [Statement?]
    private var inserts: [Statement?]

    init(db: Database) {
        self.db = db
        self.lookups = Array(repeating: nil, count: CallDimension.allCases.count)
        self.inserts = Array(repeating: nil, count: CallDimension.allCases.count)
    }

    /// The id of `name` in `dimension`, inserting it when new.
    func storedID(_ dimension: CallDimension, named name: String) throws -> Int64 {
        let d = dimension.rawValue
        if lookups[d] == nil {
            lookups[d] = try db.prepare("SELECT id FROM \(dimension.table) WHERE name = ?")
            inserts[d] = try db.prepare("INSERT INTO \(dimension.table)(name) VALUES(?)")
        }
        guard let lookup = lookups[d], let insert = inserts[d] else { return 0 }
        lookup.reset()
        lookup.bind(name, at: 1)
        if try lookup.step() {
            let id = lookup.int64(0)
            lookup.reset()
            return id
        }
        lookup.reset()
        insert.reset()
        insert.bind(name, at: 1)
        try insert.step()
        insert.reset()
        return db.lastInsertRowID
    }

    /// All names of a dimension by id (for readers).
    static func names(_ dimension: CallDimension, in db: Database) throws -> [Int64: String] {
        let s = try db.prepare("SELECT id, name FROM \(dimension.table)")
        var map: [Int64: String] = [:]
        while try s.step() { map[s.int64(0)] = s.text(1) ?? "" }
        return map
    }
}
