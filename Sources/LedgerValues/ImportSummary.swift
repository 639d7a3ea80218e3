/// What happened to one input.
public struct FileSummary: Sendable {
    public enum Status: String, Sendable {
        /// Read from its start.
        case imported
        /// Read from where an earlier import stopped (the file had grown).
        case resumed
        /// Skipped: already imported and unchanged.
        case unchanged
        /// Skipped: another file with the same content was imported.
        case sameContent = "same_content"
        /// Could not be read (or not to its end); what was read is kept.
        case failed
        /// Stopped on request (Ctrl-C) after a commit: what was committed is kept, and importing it again
        /// resumes there.
        case interrupted
    }

    public var path: String
    public var status: Status
    public var format: String?
    /// Requests (model calls) stored.
    public var rows: Int64 = 0
    /// Provider usage and cost export rows stored: new, added to another row of the same input, or
    /// replacing a row of an earlier download.
    public var providerRows: Int64 = 0
    /// Of ``providerRows``, those that replaced a row of an earlier download of the same bucket and grouping.
    public var providerRowsReplacing: Int64 = 0
    /// Of ``providerRows``, those that shared a bucket and every grouping value with an earlier row of the
    /// same input and were added to it (separate usage, billed apart).
    public var providerRowsAdded: Int64 = 0
    public var duplicates: Int64 = 0
    public var rejected: Int64 = 0
    public var resumedAtLine: Int?
    /// An earlier import of this input stopped before its end (interrupted or killed) and this one
    /// carries it on: from where it stopped, or (for a format read whole) from the start, skipping what
    /// it stored.
    public var continuesStoppedImport = false
    /// For an ``Status/interrupted`` input: the lines committed, from its start.
    public var linesCommitted: Int?
    public var sameAs: String?
    public var error: String?
    /// Reject counts by reason code, with the first few `file:line` of each.
    public var rejectsByReason: [String: RejectTally] = [:]
    /// Imported requests that no price entry covers, by model.
    public var unpricedModels: [String: Int64] = [:]
    /// Rows read and left out on purpose (a cloud bill's lines of services that are not models), by why.
    public var skippedByReason: [String: Int64] = [:]

    public init(path: String, status: Status, error: String? = nil) {
        self.path = path
        self.status = status
        self.error = error
    }

    package mutating func noteReject(_ reason: RejectReason, path: String, line: Int) {
        rejected += 1
        rejectsByReason[reason.code, default: RejectTally()].note("\(path):\(line)", message: reason.description)
    }

    mutating func merge(_ other: FileSummary) {
        rows += other.rows
        providerRows += other.providerRows
        providerRowsReplacing += other.providerRowsReplacing
        providerRowsAdded += other.providerRowsAdded
        duplicates += other.duplicates
        rejected += other.rejected
        for (code, tally) in other.rejectsByReason { rejectsByReason[code, default: RejectTally()].merge(tally) }
        for (m, n) in other.unpricedModels { unpricedModels[m, default: 0] += n }
        for (why, n) in other.skippedByReason { skippedByReason[why, default: 0] += n }
    }
}

/// How many rows were rejected for one reason, and where the first ones are.
public struct RejectTally: Sendable, Equatable {
    public static let examplesKept = 5
    public var count: Int64 = 0
    /// `file:line` of the first rejects.
    public var examples: [String] = []
    /// The message of the first reject.
    public var firstMessage: String = ""

    mutating func note(_ location: String, message: String) {
        if count == 0 { firstMessage = message }
        count += 1
        if examples.count < Self.examplesKept { examples.append(location) }
    }

    mutating func merge(_ other: RejectTally) {
        if count == 0 { firstMessage = other.firstMessage }
        count += other.count
        examples.append(contentsOf: other.examples.prefix(Self.examplesKept - examples.count))
    }
}

/// The result of one `import` run.
public struct ImportSummary: Sendable {
    public var files: [FileSummary] = []
    public var rowsImported: Int64 = 0
    public var providerRowsImported: Int64 = 0
    /// Provider rows that replaced a row of an earlier download (see ``FileSummary/providerRowsReplacing``).
    public var providerRowsReplacing: Int64 = 0
    /// Provider rows added to a row of the same input (see ``FileSummary/providerRowsAdded``).
    public var providerRowsAdded: Int64 = 0
    public var duplicates: Int64 = 0
    public var rejected: Int64 = 0
    public var rejectsByReason: [String: RejectTally] = [:]
    public var unpricedModels: [String: Int64] = [:]
    public var actionKeyCollisions = 0
    /// The import was stopped on request (Ctrl-C); ``inputsNotRead`` inputs after the one it stopped in
    /// were not started.
    public var interrupted = false
    public var inputsNotRead = 0

    /// True when every named input was read to its end.
    public var allInputsRead: Bool { !interrupted && !files.contains { $0.status == .failed || $0.status == .interrupted } }

    package mutating func add(_ file: FileSummary) {
        files.append(file)
        rowsImported += file.rows
        providerRowsImported += file.providerRows
        providerRowsReplacing += file.providerRowsReplacing
        providerRowsAdded += file.providerRowsAdded
        duplicates += file.duplicates
        rejected += file.rejected
        for (code, tally) in file.rejectsByReason { rejectsByReason[code, default: RejectTally()].merge(tally) }
        for (m, n) in file.unpricedModels { unpricedModels[m, default: 0] += n }
    }

    /// Every stored property, as the memberwise initializer takes them.
    public init(files: [FileSummary] = [], rowsImported: Int64 = 0, providerRowsImported: Int64 = 0, providerRowsReplacing: Int64 = 0, providerRowsAdded: Int64 = 0, duplicates: Int64 = 0, rejected: Int64 = 0, rejectsByReason: [String: RejectTally] = [:], unpricedModels: [String: Int64] = [:],
                actionKeyCollisions: Int = 0, interrupted: Bool = false, inputsNotRead: Int = 0) {
        self.files = files
        self.rowsImported = rowsImported
        self.providerRowsImported = providerRowsImported
        self.providerRowsReplacing = providerRowsReplacing
        self.providerRowsAdded = providerRowsAdded
        self.duplicates = duplicates
        self.rejected = rejected
        self.rejectsByReason = rejectsByReason
        self.unpricedModels = unpricedModels
        self.actionKeyCollisions = actionKeyCollisions
        self.interrupted = interrupted
        self.inputsNotRead = inputsNotRead
    }
}

/// Progress of a running import, reported after each committed batch.
public struct ImportProgress: Sendable {
    public var path: String
    public var bytesDone: Int64
    public var bytesTotal: Int64?
    public var rows: Int64

    /// Every stored property, as the memberwise initializer takes them.
    public init(path: String, bytesDone: Int64, bytesTotal: Int64? = nil, rows: Int64) {
        self.path = path
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.rows = rows
    }
}
