import Foundation
import LedgerValues

/// A request to stop an import, set from any thread (a signal handler's queue) and read by the importing
/// thread after each batch.
public final class ImportStop: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false

    public init() {}

    public func request() {
        lock.lock()
        requested = true
        lock.unlock()
    }

    public var isRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return requested
    }
}
