/// Maps repeated strings (model, workflow, team, user, …) to the ids of their rows in the dimension
/// tables, inserting names it has not seen. Names are cached in memory for the life of a write.
final class DimensionInterner {
    let db: Database
    private var cache: [[String: Int64]]
    private var loaded: [Bool]

    init(db: Database) {
        self.db = db
        self.cache = Array(repeating: [:], count: Dimension.allCases.count)
        self.loaded = Array(repeating: false, count: Dimension.allCases.count)
    }

    /// The id of `name` in `dimension`, inserting it when new. nil for nil.
    @inline(__always)
    func id(_ dimension: Dimension, _ name: String?) throws -> Int64? {
        guard let name else { return nil }
        return try id(dimension, named: name)
    }

    func id(_ dimension: Dimension, named name: String) throws -> Int64 {
        let d = dimension.rawValue
        if let v = cache[d][name] { return v }
        if !loaded[d] {
            try load(dimension)
            if let v = cache[d][name] { return v }
        }
        try db.run("INSERT INTO \(dimension.table)(name) VALUES(?)", .text(name))
        let id = db.lastInsertRowID
        cache[d][name] = id
        return id
    }

    private func load(_ dimension: Dimension) throws {
        let s = try db.prepare("SELECT id, name FROM \(dimension.table)")
        var map: [String: Int64] = [:]
        while try s.step() { map[s.text(1) ?? ""] = s.int64(0) }
        cache[dimension.rawValue] = map
        loaded[dimension.rawValue] = true
    }

    /// Forgets cached ids (after a rollback, cached ids may not exist).
    func invalidate() {
        for i in cache.indices {
            cache[i] = [:]
            loaded[i] = false
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
