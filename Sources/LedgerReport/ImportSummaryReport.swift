import LedgerAnalysis
import LedgerPricing
import LedgerValues

/// Renders an ``ImportSummary`` for the terminal or as JSON.
public enum ImportSummaryReport {
    public static func text(_ s: ImportSummary, seconds: Double) -> String {
        var out = ""
        let skipped = s.files.filter { $0.status == .unchanged || $0.status == .sameContent }.count
        let failed = s.files.filter { $0.status == .failed }
        out += "Imported \(s.rowsImported) requests"
        if s.providerRowsImported > 0 { out += " and \(s.providerRowsImported) provider export rows" }
        out += " from \(s.files.count - skipped - failed.count) of \(s.files.count) input(s)"
        out += " in \(formatDecimal(seconds, decimals: 1)) s"
        if seconds > 0 && s.rowsImported > 0 { out += " (\(Int(Double(s.rowsImported) / seconds)) rows/s)" }
        out += ".\n"
        if s.duplicates > 0 { out += "Skipped \(s.duplicates) duplicate request(s) already stored.\n" }
        if s.providerRowsReplacing > 0 {
            out += "Replaced \(s.providerRowsReplacing) provider export row(s) from an earlier download of the same buckets.\n"
        }
        if s.providerRowsAdded > 0 {
            out += "Added up \(s.providerRowsAdded) provider export row(s) that share a bucket and grouping with another row of the same file (billed apart).\n"
        }
        for f in s.files {
            switch f.status {
            case .unchanged: out += "  \(f.path): unchanged since the last import, skipped\n"
            case .sameContent: out += "  \(f.path): same content as \(f.sameAs ?? "an imported file"), skipped\n"
            case .resumed:
                if f.continuesStoppedImport {
                    out += "  \(f.path): resuming after line \(f.resumedAtLine ?? 0), where an earlier import stopped (\(f.rows) new)\n"
                } else {
                    out += "  \(f.path): grown since the last import, resumed after line \(f.resumedAtLine ?? 0) (\(f.rows) new)\n"
                }
            case .failed: out += "  \(f.path): error: \(f.error ?? "unknown")\n"
            case .interrupted:
                out += "  \(f.path): interrupted: committed up to line \(f.linesCommitted ?? 0)"
                out += " (\(f.providerRows > 0 ? "\(f.providerRows) provider rows" : "\(f.rows) requests") stored by this run)\n"
            case .imported:
                if f.continuesStoppedImport {
                    out += "  \(f.path): resuming an earlier import that stopped, read again from the start"
                    if f.providerRows > 0 {
                        out += " (\(f.providerRows) provider rows, \(f.providerRowsReplacing) of them replacing rows stored before)\n"
                    } else {
                        out += " (\(f.rows) new, \(f.duplicates) stored before)\n"
                    }
                } else if s.files.count > 1 {
                    out += "  \(f.path): \(f.providerRows > 0 ? "\(f.providerRows) provider rows" : "\(f.rows)") imported (\(f.format ?? "?"))\n"
                }
            }
        }
        for f in s.files where !f.skippedByReason.isEmpty {
            let n = f.skippedByReason.values.reduce(0, +)
            out += "  \(f.path): kept \(f.providerRows) row(s), skipped \(n) that are not model usage:\n"
            for (why, count) in f.skippedByReason.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                out += "    \(count) \(why)\n"
            }
        }
        if s.rejected > 0 {
            out += "Rejected \(s.rejected) row(s), kept in the rejects table (`tokenledger rejects`):\n"
            for (code, tally) in s.rejectsByReason.sorted(by: { ($0.value.count, $1.key) > ($1.value.count, $0.key) }) {
                out += "  \(code): \(tally.count) — \(tally.firstMessage); at \(tally.examples.joined(separator: ", "))"
                if tally.count > Int64(tally.examples.count) { out += ", …" }
                out += "\n"
            }
        }
        if !s.unpricedModels.isEmpty {
            out += "Unpriced: \(s.unpricedModels.values.reduce(0, +)) request(s) of models with no price (shown as unpriced, never $0):\n"
            for (model, n) in s.unpricedModels.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                out += "  \(model): \(n)\n"
            }
            out += "  Add prices with `tokenledger prices import FILE`, then `tokenledger reprice`.\n"
        }
        if s.interrupted {
            out += "Interrupted: what was committed is kept and consistent"
            if s.inputsNotRead > 0 { out += "; \(s.inputsNotRead) input(s) not started" }
            out += ". Run the same import again: it resumes where it stopped.\n"
        }
        if s.actionKeyCollisions > 0 {
            out += "Warning: \(s.actionKeyCollisions) action id(s) collided with another action's 63-bit key; their facts were not merged.\n"
        }
        return out
    }

    public static func json(_ s: ImportSummary, seconds: Double) -> String {
        JSONOutput.object([
            ("rows_imported", .int(s.rowsImported)),
            ("provider_rows_imported", .int(s.providerRowsImported)),
            ("provider_rows_replacing", .int(s.providerRowsReplacing)),
            ("provider_rows_added", .int(s.providerRowsAdded)),
            ("duplicates", .int(s.duplicates)),
            ("rejected", .int(s.rejected)),
            ("seconds", .ratio(seconds, decimals: 3)),
            ("all_inputs_read", .bool(s.allInputsRead)),
            ("interrupted", .bool(s.interrupted)),
            ("inputs_not_read", .int(Int64(s.inputsNotRead))),
            ("files", .array(s.files.map { f in
                .object([
                    ("path", .string(f.path)),
                    ("status", .string(f.status.rawValue)),
                    ("format", .string(f.format)),
                    ("rows_imported", .int(f.rows)),
                    ("provider_rows_imported", .int(f.providerRows)),
                    ("provider_rows_replacing", .int(f.providerRowsReplacing)),
                    ("provider_rows_added", .int(f.providerRowsAdded)),
                    ("duplicates", .int(f.duplicates)),
                    ("rejected", .int(f.rejected)),
                    ("skipped", .int(f.skippedByReason.values.reduce(0, +))),
                    ("skipped_by_reason", .array(f.skippedByReason.sorted(by: { $0.key < $1.key }).map { why, n in
                        .object([("reason", .string(why)), ("count", .int(n))])
                    })),
                    ("resumed_after_line", f.resumedAtLine.map { .int($0) } ?? .null),
                    ("continues_stopped_import", .bool(f.continuesStoppedImport)),
                    ("lines_committed", f.linesCommitted.map { .int($0) } ?? .null),
                    ("same_as", .string(f.sameAs)),
                    ("error", .string(f.error)),
                ])
            })),
            ("rejects_by_reason", .array(s.rejectsByReason.sorted(by: { $0.key < $1.key }).map { code, t in
                .object([("reason", .string(code)), ("count", .int(t.count)), ("message", .string(t.firstMessage)),
                         ("first", .array(t.examples.map { .string($0) }))])
            })),
            ("unpriced_models", .array(s.unpricedModels.sorted(by: { $0.key < $1.key }).map { m, n in
                .object([("model", .string(m)), ("requests", .int(n))])
            })),
        ]).render()
    }
}
