import CSQLite

/// `SQLITE_TRANSIENT`: SQLite copies the bound bytes (Swift cannot import the C macro).
let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A connection to a TokenLedger database file.
///
/// One connection per thread; it is deliberately not `Sendable`. Opening a database applies the
/// schema migrations (see ``Schema``), turns on WAL mode (readers see a consistent snapshot while an
/// import writes) and a busy timeout (a second writer waits instead of failing).
public final class Database {
    let handle: OpaquePointer
    public let path: String
    private var statementCache: [String: Statement] = [:]

    public enum Mode: Sendable { case readWrite, readOnly }

    /// Opens (and, in read-write mode, creates and migrates) the database at `path`.
    public init(path: String, mode: Mode = .readWrite, busyTimeoutMs: Int32 = 30_000) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = (mode == .readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw DatabaseError(code: rc, message: "cannot open database \(path): \(message)")
        }
        self.handle = db
        sqlite3_busy_timeout(db, busyTimeoutMs)
        sqlite3_extended_result_codes(db, 1)
        do {
            // Reading the header fails here for a file that is not a database.
            try execute("PRAGMA foreign_keys = OFF")
            if mode == .readWrite {
                try Schema.migrate(self)
                try execute("PRAGMA journal_mode = WAL")
                try execute("PRAGMA synchronous = NORMAL")
            } else {
                try Schema.checkVersion(self)
            }
            try execute("PRAGMA cache_size = -32000")
            try execute("PRAGMA temp_store = MEMORY")
        } catch {
            statementCache.removeAll()
            sqlite3_close_v2(db)
            throw error
        }
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements that return no rows.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw DatabaseError(code: sqlite3_extended_errcode(handle), message: message, sql: sql)
        }
    }

    /// Prepares a statement that the caller owns.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// A prepared statement reused across calls (reset before it is returned).
    public func cached(_ sql: String) throws -> Statement {
        if let s = statementCache[sql] {
            s.reset()
            return s
        }
        let s = try prepare(sql)
        statementCache[sql] = s
        return s
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`; rolls back and rethrows the first error.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private var readDepth = 0

    /// Runs `body` inside a read transaction so that all its queries see one snapshot. A nested call
    /// joins the snapshot of the outer one.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        if readDepth > 0 {
            readDepth += 1
            defer { readDepth -= 1 }
            return try body()
        }
        try execute("BEGIN")
        readDepth = 1
        defer {
            readDepth = 0
            try? execute("COMMIT")
        }
        return try body()
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs a query and returns the first column of the first row as an integer.
    public func scalarInt(_ sql: String, _ bindings: SQLValue...) throws -> Int64? {
        let s = try cached(sql)
        try s.bind(bindings)
        defer { s.reset() }
        return try s.step() ? (s.isNull(0) ? nil : s.int64(0)) : nil
    }

    /// Runs a query and returns the first column of the first row as text.
    public func scalarText(_ sql: String, _ bindings: SQLValue...) throws -> String? {
        let s = try cached(sql)
        try s.bind(bindings)
        defer { s.reset() }
        return try s.step() ? s.text(0) : nil
    }

    /// Runs a statement with bound values and no result rows.
    public func run(_ sql: String, _ bindings: SQLValue...) throws {
        let s = try cached(sql)
        try s.bind(bindings)
        while try s.step() {}
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    public func integrityCheck() throws -> String {
        let s = try prepare("PRAGMA integrity_check")
        var lines: [String] = []
        while try s.step() { lines.append(s.text(0) ?? "") }
        return lines.joined(separator: "\n")
    }
}

/// A value bound to or read from SQL.
public enum SQLValue: Sendable, Equatable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }

    public init(_ v: Int64?) { self = v.map { .integer($0) } ?? .null }
    public init(_ v: Int?) { self = v.map { .integer(Int64($0)) } ?? .null }
    public init(_ v: String?) { self = v.map { .text($0) } ?? .null }
    public init(_ v: Double?) { self = v.map { .real($0) } ?? .null }
}

/// An error from SQLite, with its extended result code, message and the statement.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (`SQLITE_CONSTRAINT`, `SQLITE_FULL`, …).
    public var primaryCode: Int32 { code & 0xFF }

    public var isFull: Bool { primaryCode == SQLITE_FULL }
    public var isReadOnly: Bool { primaryCode == SQLITE_READONLY }
    public var isCorrupt: Bool { primaryCode == SQLITE_CORRUPT || primaryCode == SQLITE_NOTADB }
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    public var description: String {
        var text = "SQLite error \(code): \(message)"
        switch primaryCode {
        case SQLITE_FULL: text += " (the disk or file system is full; nothing from the failed batch was written)"
        case SQLITE_READONLY: text += " (the database file or its folder is read-only)"
        case SQLITE_CORRUPT, SQLITE_NOTADB: text += " (the file is not a TokenLedger database or is damaged)"
        case SQLITE_BUSY, SQLITE_LOCKED: text += " (another process holds the database; try again)"
        default: break
        }
        if let sql, !sql.isEmpty { text += " - while executing `\(sql.prefix(200))`" }
        return text
    }
}
