import CSQLite
import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// A prepared SQL statement. Owns its `sqlite3_stmt` and finalizes it when released.
public final class Statement {
    let handle: OpaquePointer
    unowned let database: Database
    public let sql: String

    init(database: Database, sql: String) throws {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw database.error(sql: sql)
        }
        self.handle = stmt
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Steps once: true when a row is available, false when done.
    @discardableResult
    public func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Resets the statement for another run; bindings are kept until rebound.
    public func reset() {
        sqlite3_reset(handle)
    }

    public func clearBindings() { sqlite3_clear_bindings(handle) }

    // MARK: Binding (1-based indices, as in SQLite)

    @inline(__always) public func bind(_ value: Int64, at i: Int32) {
        sqlite3_bind_int64(handle, i, value)
    }

    @inline(__always) public func bind(_ value: Int64?, at i: Int32) {
        if let value { sqlite3_bind_int64(handle, i, value) } else { sqlite3_bind_null(handle, i) }
    }

    @inline(__always) public func bind(_ value: Double?, at i: Int32) {
        if let value { sqlite3_bind_double(handle, i, value) } else { sqlite3_bind_null(handle, i) }
    }

    public func bind(_ value: String?, at i: Int32) {
        guard var value else { sqlite3_bind_null(handle, i); return }
        value.withUTF8 { buf in
            _ = sqlite3_bind_text(handle, i, UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self),
                                  Int32(buf.count), SQLITE_TRANSIENT)
        }
    }

    /// Binds UTF-8 bytes as text (SQLite copies them).
    func bindText(_ utf8: UnsafeBufferPointer<UInt8>, at i: Int32) {
        guard let base = utf8.baseAddress else {
            sqlite3_bind_text(handle, i, "", 0, SQLITE_TRANSIENT)
            return
        }
        sqlite3_bind_text(handle, i, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(utf8.count),
                          SQLITE_TRANSIENT)
    }

    public func bindBlob(_ bytes: UnsafeRawBufferPointer, at i: Int32) {
        if bytes.count == 0 {
            sqlite3_bind_zeroblob(handle, i, 0)
        } else {
            sqlite3_bind_blob(handle, i, bytes.baseAddress, Int32(bytes.count), SQLITE_TRANSIENT)
        }
    }

    public func bindNull(at i: Int32) { sqlite3_bind_null(handle, i) }

    public func bind(_ value: SQLValue, at i: Int32) {
        switch value {
        case .null: sqlite3_bind_null(handle, i)
        case .integer(let v): sqlite3_bind_int64(handle, i, v)
        case .real(let v): sqlite3_bind_double(handle, i, v)
        case .text(let s): bind(s, at: i)
        case .blob(let b): b.withUnsafeBytes { bindBlob($0, at: i) }
        }
    }

    /// Resets, then binds `values` to parameters 1…n.
    public func bind(_ values: [SQLValue]) throws {
        sqlite3_reset(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == expected else {
            throw DatabaseError(code: SQLITE_RANGE, message: "expected \(expected) bound values, got \(values.count)", sql: sql,
                                path: database.path)
        }
        for (k, v) in values.enumerated() { bind(v, at: Int32(k + 1)) }
    }

    // MARK: Reading columns (0-based indices, as in SQLite)

    @inline(__always) public func int64(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }
    @inline(__always) public func double(_ i: Int32) -> Double { sqlite3_column_double(handle, i) }
    @inline(__always) public func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }

    public func optionalInt64(_ i: Int32) -> Int64? { isNull(i) ? nil : int64(i) }
    public func optionalDouble(_ i: Int32) -> Double? { isNull(i) ? nil : double(i) }

    public func text(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, i) else { return nil }
        let n = Int(sqlite3_column_bytes(handle, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    public func blob(_ i: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(handle, i))
        guard n > 0, let p = sqlite3_column_blob(handle, i) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    public func value(_ i: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, i) {
        case SQLITE_NULL: .null
        case SQLITE_INTEGER: .integer(int64(i))
        case SQLITE_FLOAT: .real(double(i))
        case SQLITE_BLOB: .blob(blob(i))
        default: .text(text(i) ?? "")
        }
    }

    public var columnCount: Int32 { sqlite3_column_count(handle) }
}
