/// The version of TokenLedger, printed by `--version` and written into JSON reports.
public enum TokenLedgerVersion {
    public static let current = "0.1.0"
}
