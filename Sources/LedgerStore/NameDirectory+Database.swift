import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

extension NameDirectory {
    /// The names of every dimension as stored.
    public init(db: Database) throws {
        var names: [CallDimension: [Int64: String]] = [:]
        for d in CallDimension.allCases where d != .metadata && d != .user {
            names[d] = try DimensionInterner.names(d, in: db)
        }
        names[.user] = try DimensionInterner.names(.user, in: db)
        self.init(names)
    }
}
