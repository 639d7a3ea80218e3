/// Maps repeated strings (model, workflow, team, user, …) to the ids of their rows in the dimension
/// tables, inserting names it has not seen. Names are cached in memory for the life of a write.
final class DimensionInterner {
    let db: Database
    private let tables: [Table]

    /// Names kept in memory per dimension; beyond this the cache is emptied and names are looked up in
    /// the database, so that a dimension with millions of values (users, metadata) keeps memory bounded.
    static let cacheLimit = 100_000

    /// One dimension's names. A class, so lookups do not copy dictionaries.
    final class Table {
        var ids: [String: Int64] = [:]
        /// True when `ids` holds every name of the table (then a miss is a new name).
        var complete = false
        var loaded = false
        // Consecutive calls often repeat a name (one action's calls, one team's traffic).
        var lastName: String?
        var lastID: Int64 = 0
    }

    /// Per dimension, the statements of ``storedID(_:named:)``, prepared on first use.
    private var lookups: [Statement?]
    private var inserts: [Statement?]

    init(db: Database) {
        self.db = db
        self.tables = Dimension.allCases.map { _ in Table() }
        self.lookups = Array(repeating: nil, count: Dimension.allCases.count)
        self.inserts = Array(repeating: nil, count: Dimension.allCases.count)
    }

    /// The id of `name` in `dimension`, inserting it when new. nil for nil.
    @inline(__always)
    func id(_ dimension: Dimension, _ name: String?) throws -> Int64? {
        guard let name else { return nil }
        return try id(dimension, named: name)
    }

    func id(_ dimension: Dimension, named name: String) throws -> Int64 {
        let t = tables[dimension.rawValue]
        if name == t.lastName { return t.lastID }
        let id = try lookup(t, dimension, name)
        t.lastName = name
        t.lastID = id
        return id
    }

    private func lookup(_ t: Table, _ dimension: Dimension, _ name: String) throws -> Int64 {
        if let v = t.ids[name] { return v }
        if !t.loaded {
            t.loaded = true
            let count = try db.scalarInt("SELECT count(*) FROM \(dimension.table)") ?? 0
            if count <= Self.cacheLimit / 2 {
                let s = try db.prepare("SELECT id, name FROM \(dimension.table)")
                while try s.step() { t.ids[s.text(1) ?? ""] = s.int64(0) }
                t.complete = true
                if let v = t.ids[name] { return v }
            }
        }
        if !t.complete, let v = try db.scalarInt("SELECT id FROM \(dimension.table) WHERE name = ?", .text(name)) {
            remember(t, name, v)
            return v
        }
        try db.run("INSERT INTO \(dimension.table)(name) VALUES(?)", .text(name))
        let id = db.lastInsertRowID
        remember(t, name, id)
        return id
    }

    private func remember(_ t: Table, _ name: String, _ id: Int64) {
        if t.ids.count >= Self.cacheLimit {
            t.ids.removeAll(keepingCapacity: true)
            t.complete = false
        }
        t.ids[name] = id
    }

    /// The id of `name` in `dimension`, inserting it when new, without keeping it in memory: for callers
    /// that map each name once (see ``DimensionSymbols``).
    func storedID(_ dimension: Dimension, named name: String) throws -> Int64 {
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

    /// Forgets cached ids (after a rollback, cached ids may not exist).
    func invalidate() {
        for t in tables {
            t.ids = [:]
            t.loaded = false
            t.complete = false
            t.lastName = nil
        }
    }

    /// All names of a dimension by id (for readers).
    static func names(_ dimension: Dimension, in db: Database) throws -> [Int64: String] {
        let s = try db.prepare("SELECT id, name FROM \(dimension.table)")
        var map: [Int64: String] = [:]
        while try s.step() { map[s.int64(0)] = s.text(1) ?? "" }
        return map
    }
}
