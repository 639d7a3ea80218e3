/// One stored reject, for listing.
public struct RejectRecord: Sendable, Equatable {
    public var path: String
    public var line: Int64
    public var reason: String
    public var message: String
    public var raw: [UInt8]
    public var conflictPath: String?
    public var conflictLine: Int64?

    /// Every stored property, as the memberwise initializer takes them.
    public init(path: String, line: Int64, reason: String, message: String, raw: [UInt8], conflictPath: String? = nil, conflictLine: Int64? = nil) {
        self.path = path
        self.line = line
        self.reason = reason
        self.message = message
        self.raw = raw
        self.conflictPath = conflictPath
        self.conflictLine = conflictLine
    }
}
