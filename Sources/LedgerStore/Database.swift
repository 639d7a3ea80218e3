import CSQLite
import Foundation
import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// `SQLITE_TRANSIENT`: SQLite copies the bound bytes (Swift cannot import the C macro).
let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A connection to a TokenLedger database file.
///
/// One connection per thread; it is deliberately not `Sendable`. Opening a database applies the
/// schema migrations (see ``Schema``), turns on WAL mode (readers see a consistent snapshot while an
/// import writes) and a busy timeout (a second writer waits instead of failing).
public final class Database {
    private(set) var handle: OpaquePointer
    public let path: String
    /// How long one statement waits for another process's lock.
    let busyTimeoutMs: Int32
    private var statementCache: [String: Statement] = [:]

    public enum Mode: Sendable { case readWrite, readOnly }

    /// Opens (and, in read-write mode, creates and migrates) the database at `path`.
    ///
    /// Before anything is written the file is checked: a file from a newer TokenLedger, one that
    /// belongs to another program, a damaged one (`PRAGMA quick_check`) and one that cannot be written
    /// are refused with an error naming the file, and are left as they were. Read-only mode also
    /// reads a database whose folder is read-only (SQLite cannot create its `-wal` and `-shm` files
    /// there) as long as no `-wal` file holds changes.
    ///
    /// A database from an older TokenLedger is upgraded in place before it is read (once), so that
    /// every reader sees the current schema; when it cannot be written, opening it fails with
    /// ``SchemaError/olderVersion(path:found:current:)``.
    public convenience init(path: String, mode: Mode = .readWrite, busyTimeoutMs: Int32 = 30_000) throws {
        if mode == .readOnly { try Self.upgradeIfOlder(path: path, busyTimeoutMs: busyTimeoutMs) }
        try self.init(opening: path, mode: mode, busyTimeoutMs: busyTimeoutMs)
    }

    /// Applies the migrations a read-only opening would not (see ``Schema/migrate(_:)``).
    private static func upgradeIfOlder(path: String, busyTimeoutMs: Int32) throws {
        let version = try Database(opening: path, mode: .readOnly, busyTimeoutMs: busyTimeoutMs)
            .scalarInt("PRAGMA user_version") ?? 0
        guard version > 0 && version < Schema.currentVersion else { return }
        do {
            _ = try Database(opening: path, mode: .readWrite, busyTimeoutMs: busyTimeoutMs)
        } catch let e as DatabaseError where e.isReadOnly || e.isReadOnlyFolder {
            throw SchemaError.olderVersion(path: path, found: version, current: Schema.currentVersion)
        }
    }

    private init(opening path: String, mode: Mode, busyTimeoutMs: Int32) throws {
        self.path = path
        self.busyTimeoutMs = busyTimeoutMs
        handle = try Self.open(path: path, mode: mode, immutable: mode == .readOnly && Self.isFrozen(path), busyTimeoutMs: busyTimeoutMs)
        do {
            try prepareConnection(mode)
        } catch let e as DatabaseError where mode == .readOnly && (e.isReadOnlyFolder || e.primaryCode == SQLITE_CANTOPEN)
                    && !Self.hasPendingLog(path) {
            // The file opened but its -shm file cannot be made (a read-only folder or file system).
            // Nothing waits in a -wal file: the database file alone is the whole database.
            let reopened = try Self.open(path: path, mode: mode, immutable: true, busyTimeoutMs: busyTimeoutMs)
            handle = reopened
            closed = false
            try prepareConnection(mode)
        }
    }

    /// Process-wide SQLite settings, applied once before the first connection opens (SQLite takes them
    /// only before it initialises): no memory statistics, whose global mutex every allocation takes.
    /// An import runs about 10% faster without them. (A process that used SQLite before its first
    /// TokenLedger connection keeps its own settings.)
    private static let configured: Bool = tokenledger_sqlite3_disable_memstatus() == SQLITE_OK

    /// Whether SQLite counts its memory in this process (false once a connection has opened, unless
    /// SQLite was in use before).
    static var countsMemory: Bool {
        _ = configured
        return sqlite3_memory_used() > 0
    }

    /// Why a database file cannot be created at `path`, when the path says: a folder in its place, a
    /// folder that does not exist, or one that may not be written (permissions or a read-only file system).
    static func whyNotCreatable(_ path: String) -> String? {
        var st = stat()
        if stat(path, &st) == 0 {
            return (st.st_mode & S_IFMT) == S_IFDIR ? "it is a folder, not a database file" : nil
        }
        let parent = (path as NSString).deletingLastPathComponent
        let folder = parent.isEmpty ? "." : parent
        if stat(folder, &st) != 0 {
            switch errno {
            case ENOENT: return "its folder \(folder) does not exist"
            case EACCES: return "you may not open its folder \(folder) (permission denied)"
            default: return nil
            }
        }
        if (st.st_mode & S_IFMT) != S_IFDIR { return "\(folder) is not a folder" }
        if access(folder, W_OK) != 0 {
            switch errno {
            case EROFS: return "its folder \(folder) is on a read-only file system, so the database cannot be created there"
            case EACCES: return "you may not write to its folder \(folder) (permission denied), so the database cannot be created there"
            default: break
            }
        }
        var fs = statvfs()
        if statvfs(folder, &fs) == 0, fs.f_flag & UInt(ST_RDONLY) != 0 {
            return "its folder \(folder) is on a read-only file system, so the database cannot be created there"
        }
        return nil
    }

    private static func open(path: String, mode: Mode, immutable: Bool, busyTimeoutMs: Int32) throws -> OpaquePointer {
        _ = configured
        var db: OpaquePointer?
        var flags = (mode == .readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX
        if immutable { flags |= SQLITE_OPEN_URI }
        let rc = sqlite3_open_v2(immutable ? immutableURI(path) : path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            let errno = db.map { sqlite3_system_errno($0) } ?? 0
            sqlite3_close_v2(db)
            var error = DatabaseError(code: rc, message: message, path: path, systemErrno: errno)
            if mode == .readWrite && rc & 0xFF == SQLITE_CANTOPEN { error.cause = Self.whyNotCreatable(path) }
            throw error
        }
        sqlite3_busy_timeout(db, busyTimeoutMs)
        sqlite3_extended_result_codes(db, 1)
        if mode == .readWrite && sqlite3_db_readonly(db, "main") == 1 {
            // SQLite falls back to reading a file it may not write.
            sqlite3_close_v2(db)
            throw DatabaseError(code: SQLITE_READONLY, message: String(cString: sqlite3_errstr(SQLITE_READONLY)), path: path)
        }
        let shm = path + "-shm"
        if mode == .readWrite && FileManager.default.fileExists(atPath: shm) && !FileManager.default.isWritableFile(atPath: shm) {
            sqlite3_close_v2(db)
            throw DatabaseError(code: SQLITE_READONLY,
                                message: "its shared-memory file \(shm) cannot be written; when no program has the database open, remove \(shm) and \(path)-wal",
                                path: path)
        }
        return db
    }

    /// Checks the file and applies the settings and migrations of `mode`; closes the connection on error.
    private func prepareConnection(_ mode: Mode) throws {
        do {
            // Reading the header fails here for a file that is not a database.
            try execute("PRAGMA foreign_keys = OFF")
            try Schema.checkVersion(self, mode: mode)
            if mode == .readWrite {
                try checkSound()
                try execute("PRAGMA journal_mode = WAL")
                try execute("PRAGMA synchronous = NORMAL")
                try Schema.migrate(self)
            }
            try execute("PRAGMA cache_size = -32000")
            try execute("PRAGMA temp_store = MEMORY")
        } catch {
            close()
            throw error
        }
    }

    /// Refuses a damaged database before anything is written to it. `PRAGMA quick_check` reads every
    /// page (about half a second per 100 MB), so that a write never lands in a file whose other pages are broken.
    private func checkSound() throws {
        guard (try scalarInt("SELECT count(*) FROM sqlite_schema") ?? 0) > 0 else { return }
        let s = try prepare("PRAGMA quick_check(5)")
        var problems: [String] = []
        while try s.step() { problems.append(s.text(0) ?? "") }
        guard problems != ["ok"] else { return }
        throw DatabaseError(code: SQLITE_CORRUPT, message: "PRAGMA quick_check: \(problems.joined(separator: "; ").prefix(300))",
                            path: path)
    }

    /// A database file nobody may write (no write permission bits), with no `-wal` or `-shm` file: it
    /// is read as immutable, so that reading it leaves no `-wal` and `-shm` files behind (SQLite would
    /// create them read-only, in the way of whoever writes the database once it is writable again).
    static func isFrozen(_ path: String) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue else { return false }
        return permissions & 0o222 == 0 && !FileManager.default.fileExists(atPath: path + "-wal")
            && !FileManager.default.fileExists(atPath: path + "-shm")
    }

    /// Whether a `-wal` file next to the database holds changes not yet copied into it.
    static func hasPendingLog(_ path: String) -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "-wal")
        return ((attributes?[.size] as? NSNumber)?.int64Value ?? 0) > 0
    }

    /// A `file:` URI that opens `path` as immutable: no locks, no `-wal` or `-shm` file.
    static func immutableURI(_ path: String) -> String {
        var bytes = Array(path.utf8)
        // "//host" would be read as an authority.
        while bytes.count > 1 && bytes[0] == 0x2F && bytes[1] == 0x2F { bytes.removeFirst() }
        var uri = "file:"
        for b in bytes {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "~"):
                uri.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                uri.unicodeScalars.append("%")
                uri.unicodeScalars.append(hex[Int(b >> 4)])
                uri.unicodeScalars.append(hex[Int(b & 0xF)])
            }
        }
        return uri + "?immutable=1"
    }

    private var closed = false

    private func close() {
        guard !closed else { return }
        closed = true
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    deinit { close() }

    /// Runs one or more SQL statements that return no rows.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw error(message: message, sql: sql)
        }
    }

    /// The error SQLite reports for the last call on this connection.
    func error(message: String? = nil, sql: String? = nil) -> DatabaseError {
        DatabaseError(code: sqlite3_extended_errcode(handle), message: message ?? String(cString: sqlite3_errmsg(handle)),
                      sql: sql, path: path, systemErrno: sqlite3_system_errno(handle))
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
        try beginWrite()
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// `BEGIN IMMEDIATE`: takes the write lock. While another process writes, this waits as long as
    /// that process keeps committing (two imports into one database take turns, transaction by
    /// transaction); it gives up only when the lock was held for the busy timeout with no commit.
    public func beginWrite() throws {
        var seen = try dataVersion()
        while true {
            do {
                try execute("BEGIN IMMEDIATE")
                return
            } catch let e as DatabaseError where e.isBusy {
                let now = try dataVersion()
                guard now != seen else {
                    throw DatabaseError(code: e.code, message: "another process has held the write lock for \(busyTimeoutMs / 1000) s without committing",
                                        path: path)
                }
                seen = now
            }
        }
    }

    /// `PRAGMA data_version`: changes whenever another connection commits.
    private func dataVersion() throws -> Int64 {
        try scalarInt("PRAGMA data_version") ?? 0
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

/// An error from SQLite, with its extended result code, message, the database and the statement.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var sql: String?
    /// The database file.
    public var path: String?
    /// The operating system's `errno` behind an I/O error (0 when none).
    public var systemErrno: Int32
    /// What keeps a database that cannot be opened from being created, found from the path (SQLite's own
    /// `errno` is that of its last attempt, often "No such file or directory").
    public var cause: String?

    public init(code: Int32, message: String, sql: String? = nil, path: String? = nil, systemErrno: Int32 = 0) {
        self.code = code
        self.message = message
        self.sql = sql
        self.path = path
        self.systemErrno = systemErrno
    }

    /// The primary result code (`SQLITE_CONSTRAINT`, `SQLITE_FULL`, …).
    public var primaryCode: Int32 { code & 0xFF }

    /// The disk or file system is full, or the file is over a size limit (`ulimit -f`, a quota).
    public var isFull: Bool {
        primaryCode == SQLITE_FULL || (primaryCode == SQLITE_IOERR && [ENOSPC, EFBIG, EDQUOT].contains(systemErrno))
    }
    public var isReadOnly: Bool { primaryCode == SQLITE_READONLY }
    /// SQLite cannot create the `-wal` or `-shm` file next to the database, or cannot write the latter.
    public var isReadOnlyFolder: Bool {
        code == Self.readOnlyDirectory || code == Self.readOnlyCannotInitialize || (primaryCode == SQLITE_CANTOPEN && systemErrno == EACCES)
            || (primaryCode == SQLITE_CANTOPEN && systemErrno == EROFS)
    }
    public var isCorrupt: Bool { primaryCode == SQLITE_CORRUPT || primaryCode == SQLITE_NOTADB }
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    /// `SQLITE_READONLY_DIRECTORY` and `SQLITE_READONLY_CANTINIT` (C macros Swift does not import).
    static let readOnlyDirectory: Int32 = SQLITE_READONLY | (6 << 8)
    static let readOnlyCannotInitialize: Int32 = SQLITE_READONLY | (5 << 8)

    /// SQLite's own words, with the operating system's where there are some.
    var detail: String {
        var text = "SQLite error \(code): \(message)"
        if systemErrno != 0, let reason = strerror(systemErrno) { text += "; \(String(cString: reason))" }
        return text
    }

    public var description: String {
        let place = path.map { "database \($0)" } ?? "the database"
        if let cause {
            return "cannot open \(place): \(cause) (\(detail))."
        }
        if isFull {
            return "\(place): the disk or file system is full, or the file is over a size limit (\(detail)). Nothing of the interrupted transaction was written; free some space and run the command again."
        }
        if isReadOnlyFolder {
            return "\(place): its folder is read-only, and SQLite must create the files \(path ?? "…")-wal and -shm next to it to write (\(detail))."
        }
        if isReadOnly {
            return "\(place) is read-only: its permissions or its file system do not allow writing (\(detail))."
        }
        if isCorrupt {
            return "\(place) is damaged or is not an SQLite database (\(detail))."
        }
        if isBusy {
            return "\(place) is locked by another process (\(detail)); try again when it has finished."
        }
        if primaryCode == SQLITE_CANTOPEN {
            return "cannot open \(place) (\(detail))."
        }
        if primaryCode == SQLITE_IOERR {
            return "\(place): the operating system refused a read or write (\(detail))."
        }
        var text = "\(place): \(detail)"
        if let sql, !sql.isEmpty { text += " - while executing `\(sql.prefix(200))`" }
        return text
    }
}
