// The library's modules, one way from values to reports (see docs/architecture.md). Importing
// TokenLedger imports them all.
@_exported import LedgerValues
@_exported import LedgerIngest
@_exported import LedgerPricing
@_exported import LedgerAnalysis
@_exported import LedgerStore
@_exported import LedgerReport
@_exported import LedgerSample
