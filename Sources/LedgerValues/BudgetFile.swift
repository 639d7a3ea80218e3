import Foundation
import Yams

/// Reads a budget file (YAML, `docs/budget.md`). Every problem is a ``ConfigFileError`` naming the
/// file, the line and the key, and saying what was expected:
///
///     budget.yaml:12: routes.faq.fallback_rate: expected a share between 0 and 1, got "5%"
public enum BudgetFile {
    public static func load(path: String) throws(ConfigFileError) -> Budget {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigFileError(file: path, line: nil, key: "", message: FileReadProblem.message(path, error: error))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigFileError(file: path, line: nil, key: "", message: "the file is not UTF-8 text")
        }
        return try parse(text: text, path: path)
    }

    public static func parse(text: String, path: String) throws(ConfigFileError) -> Budget {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw YAMLDiagnostics.syntaxError(error, file: path, text: text)
        }
        return try BudgetFileReader(file: path).read(root)
    }
}

struct BudgetFileReader: YAMLNodeReading {
    let file: String

    static let topKeys = ["currency", "tiers", "routes", "limits", "budget", "thresholds"]
    static let routeKeys = ["primary", "fallback", "monthly_requests", "avg_input_tokens", "avg_output_tokens",
                            "fallback_rate", "retry_rate", "cost_per_completed_action", "max_input_tokens", "max_premium_share"]
    static let limitKeys = ["max_fallback_attempts_per_action", "max_premium_share", "daily_spend_per_tier",
                            "daily_spend_per_team", "per_user_per_minute", "per_user_daily_usd", "segments"]
    static let thresholdKeys = ["alpha", "watch_alpha", "rate_tolerance", "material_monthly_usd", "min_expected_count",
                                "token_tolerance", "cost_tolerance", "volume_tolerance", "anomaly_z", "anomaly_min_usd",
                                "premium_tiers", "min_actions"]

    func read(_ root: Node?) throws(ConfigFileError) -> Budget {
        guard let root else {
            throw ConfigFileError(file: file, line: nil, key: "", message: "the file is empty; expected a mapping with `tiers` and `routes`")
        }
        let top = try mapping(root, "", allowed: Self.topKeys)
        var b = Budget()
        if let c = top["currency"] {
            let t = try text(c.value, "currency", expected: "a currency code")
            guard t == "USD" else { throw fail(c.value, "currency", "expected USD (TokenLedger holds amounts in US dollars), got \"\(t)\"") }
        }
        if let t = top["tiers"] { b.tiers = try tiers(t.value) }
        if let r = top["routes"] { b.routes = try routes(r.value) }
        if let l = top["limits"] { b.limits = try limits(l.value) }
        if let s = top["budget"] { b.spend = try spend(s.value, routes: b.routes) }
        if let t = top["thresholds"] { b.thresholds = try thresholds(t.value) }
        return b
    }

    /// Keys of a mapping in file order.
    func ordered(_ node: Node, _ path: String) throws(ConfigFileError) -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let m) = node else { throw fail(node, path, "expected a mapping, got \(describe(node))") }
        var out: [(String, Node, Node)] = []
        var seen = Set<String>()
        for (k, v) in m {
            guard case .scalar(let s) = k else { throw fail(k, path, "expected a plain key, got \(describe(k))") }
            let at = path.isEmpty ? s.string : "\(path).\(s.string)"
            guard seen.insert(s.string).inserted else { throw fail(k, at, "the key appears twice") }
            out.append((s.string, k, v))
        }
        return out
    }

    func tiers(_ node: Node) throws(ConfigFileError) -> [Budget.TierPatterns] {
        var out: [Budget.TierPatterns] = []
        for (name, _, value) in try ordered(node, "tiers") {
            out.append(Budget.TierPatterns(tier: name, patterns: try list(value, "tiers.\(name)", what: "a model name or pattern")))
        }
        return out
    }

    func routes(_ node: Node) throws(ConfigFileError) -> [Budget.Route] {
        var out: [Budget.Route] = []
        for (name, _, value) in try ordered(node, "routes") {
            let path = "routes.\(name)"
            let m = try mapping(value, path, allowed: Self.routeKeys)
            var r = Budget.Route(workflow: name)
            if let v = m["primary"] { r.primary = try text(v.value, "\(path).primary", expected: "a model or a tier") }
            if let v = m["fallback"] {
                if case .scalar = v.value {
                    r.fallback = [try text(v.value, "\(path).fallback", expected: "a model or a tier")]
                } else {
                    r.fallback = try list(v.value, "\(path).fallback", what: "a model or a tier")
                }
            }
            if let v = m["monthly_requests"] { r.monthlyRequests = try number(v.value, "\(path).monthly_requests", min: 0) }
            if let v = m["avg_input_tokens"] { r.avgInputTokens = try number(v.value, "\(path).avg_input_tokens", min: 0) }
            if let v = m["avg_output_tokens"] { r.avgOutputTokens = try number(v.value, "\(path).avg_output_tokens", min: 0) }
            if let v = m["fallback_rate"] { r.fallbackRate = try share(v.value, "\(path).fallback_rate") }
            if let v = m["retry_rate"] { r.retryRate = try share(v.value, "\(path).retry_rate") }
            if let v = m["cost_per_completed_action"] { r.costPerCompletedAction = try money(v.value, "\(path).cost_per_completed_action") }
            if let v = m["max_input_tokens"] { r.maxInputTokens = Int64(try integer(v.value, "\(path).max_input_tokens", min: 1)) }
            if let v = m["max_premium_share"] { r.maxPremiumShare = try share(v.value, "\(path).max_premium_share") }
            out.append(r)
        }
        return out
    }

    func limits(_ node: Node) throws(ConfigFileError) -> Budget.Limits {
        let m = try mapping(node, "limits", allowed: Self.limitKeys)
        var l = Budget.Limits()
        if let v = m["max_fallback_attempts_per_action"] {
            l.maxFallbackAttemptsPerAction = try integer(v.value, "limits.max_fallback_attempts_per_action", min: 0)
        }
        if let v = m["max_premium_share"] { l.maxPremiumShare = try share(v.value, "limits.max_premium_share") }
        if let v = m["daily_spend_per_tier"] { l.dailySpendPerTier = try moneyMap(v.value, "limits.daily_spend_per_tier") }
        if let v = m["daily_spend_per_team"] { l.dailySpendPerTeam = try moneyMap(v.value, "limits.daily_spend_per_team") }
        if let v = m["per_user_per_minute"] { l.perUserPerMinute = try integer(v.value, "limits.per_user_per_minute", min: 1) }
        if let v = m["per_user_daily_usd"] { l.perUserDailyUSD = try money(v.value, "limits.per_user_daily_usd") }
        if let v = m["segments"] {
            for (name, _, value) in try ordered(v.value, "limits.segments") {
                let path = "limits.segments.\(name)"
                let s = try mapping(value, path, allowed: ["allowed_tiers"])
                guard let t = s["allowed_tiers"] else { throw fail(value, path, "missing required key `allowed_tiers` (a list of tiers)") }
                l.segments[name] = try list(t.value, "\(path).allowed_tiers", what: "a tier name")
            }
        }
        return l
    }

    func spend(_ node: Node, routes: [Budget.Route]) throws(ConfigFileError) -> Budget.SpendBudget {
        let m = try mapping(node, "budget", allowed: ["monthly", "categories", "alerts"])
        guard let monthly = m["monthly"] else { throw fail(node, "budget", "missing required key `monthly` (dollars per month)") }
        var s = Budget.SpendBudget(monthly: try money(monthly.value, "budget.monthly"))
        if let c = m["categories"] {
            var total = 0.0
            for (name, _, value) in try ordered(c.value, "budget.categories") {
                let path = "budget.categories.\(name)"
                let cm = try mapping(value, path, allowed: ["share", "routes"])
                guard let share = cm["share"] else { throw fail(value, path, "missing required key `share` (0–1)") }
                let cat = Budget.SpendBudget.Category(
                    name: name, share: try self.share(share.value, "\(path).share"),
                    routes: try cm["routes"].map { v throws(ConfigFileError) in try list(v.value, "\(path).routes", what: "a workflow") } ?? [])
                total += cat.share
                s.categories.append(cat)
            }
            if total > 1.0 + 1e-9 {
                throw fail(c.value, "budget.categories", "the category shares add up to \(formatDecimal(total, decimals: 3)); they must not exceed 1")
            }
        }
        if let a = m["alerts"] {
            guard case .sequence(let items) = a.value else {
                throw fail(a.value, "budget.alerts", "expected a list of shares such as [0.7, 0.9, 1.0], got \(describe(a.value))")
            }
            var alerts: [Double] = []
            for (i, item) in items.enumerated() {
                alerts.append(try number(item, "budget.alerts[\(i)]", min: 0, max: 10))
            }
            s.alerts = alerts.sorted()
        }
        return s
    }

    func thresholds(_ node: Node) throws(ConfigFileError) -> Budget.Thresholds {
        let m = try mapping(node, "thresholds", allowed: Self.thresholdKeys)
        var t = Budget.Thresholds()
        func p(_ key: String) -> String { "thresholds.\(key)" }
        if let v = m["alpha"] { t.alpha = try number(v.value, p("alpha"), min: 0, max: 1) }
        if let v = m["watch_alpha"] { t.watchAlpha = try number(v.value, p("watch_alpha"), min: 0, max: 1) }
        if let v = m["rate_tolerance"] { t.rateTolerance = try number(v.value, p("rate_tolerance"), min: 0) }
        if let v = m["material_monthly_usd"] { t.materialMonthlyUSD = try money(v.value, p("material_monthly_usd")) }
        if let v = m["min_expected_count"] { t.minExpectedCount = try number(v.value, p("min_expected_count"), min: 0) }
        if let v = m["token_tolerance"] { t.tokenTolerance = try number(v.value, p("token_tolerance"), min: 0) }
        if let v = m["cost_tolerance"] { t.costTolerance = try number(v.value, p("cost_tolerance"), min: 0) }
        if let v = m["volume_tolerance"] { t.volumeTolerance = try number(v.value, p("volume_tolerance"), min: 0) }
        if let v = m["anomaly_z"] { t.anomalyZ = try number(v.value, p("anomaly_z"), min: 0) }
        if let v = m["anomaly_min_usd"] { t.anomalyMinUSD = try money(v.value, p("anomaly_min_usd")) }
        if let v = m["premium_tiers"] { t.premiumTiers = try list(v.value, p("premium_tiers"), what: "a tier name") }
        if let v = m["min_actions"] { t.minActions = try integer(v.value, p("min_actions"), min: 0) }
        return t
    }

    // MARK: Values

    func list(_ node: Node, _ path: String, what: String) throws(ConfigFileError) -> [String] {
        guard case .sequence(let items) = node else { throw fail(node, path, "expected a list of \(what)s, got \(describe(node))") }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            out.append(try text(item, "\(path)[\(i)]", expected: what).trimmingCharacters(in: .whitespaces))
        }
        return out
    }

    func number(_ node: Node, _ path: String, min: Double? = nil, max: Double? = nil) throws(ConfigFileError) -> Double {
        let t = try text(node, path, expected: "a number")
        guard let d = ExactDecimal(parsing: t.replacingOccurrences(of: "_", with: "")),
              let v = Double(t.replacingOccurrences(of: "_", with: "")), v.isFinite else {
            throw fail(node, path, "expected a number, got \"\(t)\"")
        }
        _ = d
        if let min, v < min { throw fail(node, path, "expected a number of at least \(formatDecimal(min, decimals: 2)), got \(t)") }
        if let max, v > max { throw fail(node, path, "expected a number of at most \(formatDecimal(max, decimals: 2)), got \(t)") }
        return v
    }

    func share(_ node: Node, _ path: String) throws(ConfigFileError) -> Double {
        let t = try text(node, path, expected: "a share between 0 and 1")
        guard let v = Double(t), v.isFinite, v >= 0, v <= 1 else {
            throw fail(node, path, "expected a share between 0 and 1 (e.g. 0.05 for 5%), got \"\(t)\"")
        }
        return v
    }

    func integer(_ node: Node, _ path: String, min: Int) throws(ConfigFileError) -> Int {
        let t = try text(node, path, expected: "a whole number")
        guard let v = Int(t.replacingOccurrences(of: "_", with: "")), v >= min else {
            throw fail(node, path, "expected a whole number of at least \(min), got \"\(t)\"")
        }
        return v
    }

    /// Dollars, read exactly from the text.
    func money(_ node: Node, _ path: String) throws(ConfigFileError) -> Money {
        let t = try text(node, path, expected: "an amount in dollars")
        let clean = t.hasPrefix("$") ? String(t.dropFirst()) : t
        guard let m = Money(parsing: clean.replacingOccurrences(of: "_", with: ""), rounding: false), !m.isNegative else {
            throw fail(node, path, "expected a non-negative amount in dollars (e.g. 0.0009), got \"\(t)\"")
        }
        return m
    }

    func moneyMap(_ node: Node, _ path: String) throws(ConfigFileError) -> [String: Money] {
        var out: [String: Money] = [:]
        for (name, _, value) in try ordered(node, path) { out[name] = try money(value, "\(path).\(name)") }
        return out
    }
}
