import Foundation
import LedgerAnalysis
import LedgerPricing
import LedgerValues
#if canImport(Glibc)
import Glibc
#endif

/// Facts about the terminal, for colour and progress output.
public enum Terminal {
    /// Whether `fd` is a terminal that is not `dumb`.
    public static func isInteractive(fd: Int32) -> Bool {
        isatty(fd) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Colour only on a terminal, and never when `NO_COLOR` is set (https://no-color.org).
    public static func colorEnabled(fd: Int32 = 1) -> Bool {
        let env = ProcessInfo.processInfo.environment
        if let v = env["NO_COLOR"], !v.isEmpty { return false }
        return isInteractive(fd: fd)
    }
}

/// A one-line progress display on standard error: bytes done, rows and rows per second.
public final class ProgressLine: @unchecked Sendable {
    let enabled: Bool
    let started = Date()
    var lastDraw = Date.distantPast
    var drawn = false

    public init(enabled: Bool) { self.enabled = enabled }

    public func update(_ p: ImportProgress) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(p.rows) / elapsed
        var text = "\r\u{1B}[2K"
        let name = (p.path as NSString).lastPathComponent
        if let total = p.bytesTotal, total > 0 {
            let fraction = min(1, Double(p.bytesDone) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            text += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            text += String(format: "%3.0f%% ", fraction * 100)
        }
        text += "\(name)  \(Self.bytes(p.bytesDone))  \(p.rows) rows  \(Int(rate)) rows/s"
        FileHandle.standardError.write(Data(text.utf8))
        drawn = true
    }

    public func finish() {
        if enabled && drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }

    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var v = Double(n)
        var u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
    }
}
