import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

/// The database schema and its migrations. `docs/schema.md` documents every table and view.
///
/// Each migration is SQL applied once, in order; `PRAGMA user_version` records how many have run and
/// `PRAGMA application_id` marks the file as TokenLedger's. A file from a newer TokenLedger is refused
/// rather than misread, and a database that belongs to another program is never touched.
public enum Schema {
    /// "TKLG".
    public static let applicationID: Int64 = 0x544B_4C47

    /// The schema version this build writes.
    public static var currentVersion: Int64 { Int64(migrations.count) }

    /// Names of the tables that hold repeated strings once, one per dimension.
    public static let dimensionTables: [String] = CallDimension.allCases.map(\.table)

    /// Refuses a file TokenLedger must not read or change: one from a newer TokenLedger, one that
    /// belongs to another program, and (to read) one that holds no TokenLedger data yet.
    static func checkVersion(_ db: Database, mode: Database.Mode = .readWrite) throws {
        // One statement, so one snapshot: read apart, another process's first migration could commit
        // between the version and the tables and make a new TokenLedger file look like another program's.
        let s = try db.prepare("""
            SELECT (SELECT user_version FROM pragma_user_version), (SELECT application_id FROM pragma_application_id),
                   (SELECT count(*) FROM sqlite_schema WHERE type = 'table')
            """)
        guard try s.step() else { return }
        let version = s.int64(0), app = s.int64(1), tables = s.int64(2)
        if app != 0 && app != applicationID {
            throw SchemaError.notTokenLedger(path: db.path)
        }
        if version > currentVersion {
            throw SchemaError.newerVersion(path: db.path, found: version, supported: currentVersion)
        }
        if version == 0 {
            if tables > 0 { throw SchemaError.notTokenLedger(path: db.path) }
            if mode == .readOnly { throw SchemaError.empty(path: db.path) }
        }
    }

    /// Brings the database to ``currentVersion``. Each step reads the version again inside its write
    /// transaction, so that two processes opening a new database at once apply each migration once.
    static func migrate(_ db: Database) throws {
        if try db.scalarInt("PRAGMA user_version") ?? 0 == currentVersion { return }
        while true {
            let done = try db.transaction { () throws -> Bool in
                try checkVersion(db)
                let version = try db.scalarInt("PRAGMA user_version") ?? 0
                guard version < currentVersion else { return true }
                try db.execute(migrations[Int(version)])
                try db.execute("PRAGMA user_version = \(version + 1)")
                try db.execute("PRAGMA application_id = \(applicationID)")
                return false
            }
            if done { return }
        }
    }

    static let migrations: [String] = [version1, version2, version3, version4, version5, version6]

    /// Charges beyond text tokens. A request's audio and image tokens, images, billed tool uses and
    /// price-changing attributes are kept as compact JSON in `requests.extras` (NULL for the calls that have
    /// none: most, at one byte); the hourly rollups add up the cost of audio and image
    /// (`cost_modality`), of tool fees (`cost_tool_fees`), and what attribute multipliers added (`cost_uplift`),
    /// and the tool uses (`tool_calls`). Price entries get audio and image rates, a price per image, tool
    /// fees and attribute multipliers.
    static let version5 = """
        ALTER TABLE requests ADD COLUMN extras TEXT;
        ALTER TABLE usage_hourly ADD COLUMN cost_modality INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage_hourly ADD COLUMN cost_tool_fees INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage_hourly ADD COLUMN cost_uplift INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage_hourly ADD COLUMN tool_calls INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE price_rates ADD COLUMN audio_input INTEGER;
        ALTER TABLE price_rates ADD COLUMN cached_audio_input INTEGER;
        ALTER TABLE price_rates ADD COLUMN audio_output INTEGER;
        ALTER TABLE price_rates ADD COLUMN image_input INTEGER;
        ALTER TABLE price_rates ADD COLUMN image_output INTEGER;
        ALTER TABLE prices ADD COLUMN per_image INTEGER;
        CREATE TABLE price_tool_fees(
            price_id INTEGER NOT NULL REFERENCES prices(id) ON DELETE CASCADE,
            tool TEXT NOT NULL,
            per_use INTEGER NOT NULL,
            PRIMARY KEY(price_id, tool)
        ) WITHOUT ROWID;
        CREATE TABLE price_modifiers(
            price_id INTEGER NOT NULL REFERENCES prices(id) ON DELETE CASCADE,
            attribute TEXT NOT NULL,
            value TEXT NOT NULL,
            numerator INTEGER NOT NULL,
            denominator INTEGER NOT NULL,
            PRIMARY KEY(price_id, attribute, value)
        ) WITHOUT ROWID;
        DROP VIEW IF EXISTS v_requests;
        DROP VIEW IF EXISTS v_prices;
        -- The shipped book is stored again with its new parts at the next load.
        DELETE FROM meta WHERE key = 'default_prices';
        \(requestsView(extras: true))
        \(pricesView(extras: true))
        """

    /// Each user-day's busiest minute, so that the per-user rate-limit check reads the calls of only the
    /// days where a user may have gone over: `minute_peak`, with the day's first and last minute and their
    /// calls, which let calls of one minute that came in separate transactions be added up exactly.
    /// `minute_peak` is NULL where it is not known (cells written before this version, and calls that came
    /// out of time order): those days are read.
    static let version4 = """
        ALTER TABLE user_daily ADD COLUMN minute_peak INTEGER;
        ALTER TABLE user_daily ADD COLUMN first_minute INTEGER;
        ALTER TABLE user_daily ADD COLUMN first_minute_calls INTEGER;
        ALTER TABLE user_daily ADD COLUMN last_minute INTEGER;
        ALTER TABLE user_daily ADD COLUMN last_minute_calls INTEGER;
        """

    /// Rollups kept at import, so that reports over tens of millions of calls read thousands of cells.
    /// Ids of missing values are 0 in rollup keys. Each rollup is exactly the sum of its raw rows.
    static let version2 = """
        CREATE TABLE usage_hourly(
            hour INTEGER NOT NULL,
            workflow_id INTEGER NOT NULL,
            model_id INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            segment_id INTEGER NOT NULL,
            team_id INTEGER NOT NULL,
            tier_id INTEGER NOT NULL,
            fallback_reason_id INTEGER NOT NULL,
            calls INTEGER NOT NULL,
            failed_calls INTEGER NOT NULL,
            input_tokens INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            cache_write_tokens INTEGER NOT NULL,
            cache_write_1h_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            reasoning_tokens INTEGER NOT NULL,
            input_squares REAL NOT NULL,
            output_squares REAL NOT NULL,
            max_input_tokens INTEGER NOT NULL,
            cost INTEGER NOT NULL,
            cost_uncached_input INTEGER NOT NULL,
            cost_cached_input INTEGER NOT NULL,
            cost_cache_write INTEGER NOT NULL,
            cost_output INTEGER NOT NULL,
            failed_cost INTEGER NOT NULL,
            unpriced_calls INTEGER NOT NULL,
            unpriced_tokens INTEGER NOT NULL,
            gateway_cost INTEGER NOT NULL,
            gateway_calls INTEGER NOT NULL,
            PRIMARY KEY(hour, workflow_id, model_id, kind, segment_id, team_id, tier_id, fallback_reason_id)
        ) WITHOUT ROWID;

        CREATE TABLE latency_daily(
            day INTEGER NOT NULL,
            workflow_id INTEGER NOT NULL,
            model_id INTEGER NOT NULL,
            bucket INTEGER NOT NULL,
            calls INTEGER NOT NULL,
            PRIMARY KEY(day, workflow_id, model_id, bucket)
        ) WITHOUT ROWID;

        CREATE TABLE user_daily(
            day INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            calls INTEGER NOT NULL,
            cost INTEGER NOT NULL,
            unpriced_calls INTEGER NOT NULL,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            PRIMARY KEY(day, user_id)
        ) WITHOUT ROWID;
        """

    static var version1: String {
        var sql = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

        CREATE TABLE sources(
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            format TEXT NOT NULL,
            size INTEGER NOT NULL,
            bytes_done INTEGER NOT NULL DEFAULT 0,
            lines_done INTEGER NOT NULL DEFAULT 0,
            prefix_hash INTEGER NOT NULL DEFAULT 0,
            content_hash INTEGER,
            complete INTEGER NOT NULL DEFAULT 0,
            rows_imported INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            started_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE INDEX sources_path ON sources(path);
        CREATE INDEX sources_content ON sources(content_hash);

        CREATE TABLE call_kinds(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE call_statuses(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE action_outcomes(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE service_tiers(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);

        CREATE TABLE prices(
            id INTEGER PRIMARY KEY,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            aliases TEXT NOT NULL DEFAULT '[]',
            effective_from TEXT NOT NULL,
            currency TEXT NOT NULL DEFAULT 'USD',
            long_context_threshold INTEGER,
            source TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL DEFAULT 'user',
            UNIQUE(model, effective_from, origin)
        );
        CREATE TABLE price_rates(
            price_id INTEGER NOT NULL REFERENCES prices(id) ON DELETE CASCADE,
            tier TEXT NOT NULL,
            long_context INTEGER NOT NULL,
            input INTEGER NOT NULL,
            cached_input INTEGER,
            cache_write_5m INTEGER,
            cache_write_1h INTEGER,
            output INTEGER NOT NULL,
            reasoning INTEGER,
            PRIMARY KEY(price_id, tier, long_context)
        ) WITHOUT ROWID;

        CREATE TABLE actions(
            id INTEGER PRIMARY KEY, -- the row id of the action's first request: actions are in time order
            action_id TEXT,
            first_request INTEGER GENERATED ALWAYS AS (id) VIRTUAL,
            last_request INTEGER NOT NULL,
            workflow_id INTEGER,
            team_id INTEGER,
            user_id INTEGER,
            segment_id INTEGER,
            calls INTEGER NOT NULL,
            retries INTEGER NOT NULL,
            fallbacks INTEGER NOT NULL,
            classifier_calls INTEGER NOT NULL,
            validation_calls INTEGER NOT NULL,
            failed_calls INTEGER NOT NULL,
            max_attempt INTEGER NOT NULL,
            model_mask INTEGER NOT NULL,
            cost INTEGER NOT NULL,
            failed_cost INTEGER NOT NULL,
            unpriced_calls INTEGER NOT NULL,
            last_status INTEGER NOT NULL,
            outcome INTEGER,
            outcome_request INTEGER,
            -- the call whose workflow, team, user and segment are the action's (the earliest that names a
            -- workflow, else the first); NULL when it is the first call
            owner_request INTEGER
        );
        -- requests.action_key (63 bits of the action id's hash) → the action's row
        CREATE TABLE action_keys(key INTEGER PRIMARY KEY, action INTEGER NOT NULL);

        CREATE TABLE requests(
            id INTEGER PRIMARY KEY,
            request_id TEXT NOT NULL,
            source_id INTEGER NOT NULL,
            line INTEGER NOT NULL,
            action_key INTEGER NOT NULL,
            model_id INTEGER NOT NULL,
            workflow_id INTEGER,
            team_id INTEGER,
            user_id INTEGER,
            segment_id INTEGER,
            project_id INTEGER,
            api_key_id INTEGER,
            provider_id INTEGER,
            tier_id INTEGER,
            kind INTEGER NOT NULL,
            status INTEGER NOT NULL,
            attempt INTEGER,
            fallback_reason_id INTEGER,
            fallback_from_id INTEGER,
            action_outcome INTEGER,
            input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            cache_write_tokens INTEGER NOT NULL,
            cache_write_1h_tokens INTEGER NOT NULL,
            reasoning_tokens INTEGER NOT NULL,
            batch INTEGER NOT NULL,
            service_tier INTEGER NOT NULL,
            latency_ms INTEGER,
            quality_score INTEGER,
            gateway_cost INTEGER,
            price_id INTEGER,
            cost INTEGER,
            metadata_id INTEGER
        );
        CREATE TABLE request_keys(key INTEGER PRIMARY KEY, request INTEGER NOT NULL);
        CREATE INDEX requests_unpriced ON requests(model_id) WHERE cost IS NULL;

        CREATE TABLE rejects(
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL,
            line INTEGER NOT NULL,
            reason TEXT NOT NULL,
            message TEXT NOT NULL,
            raw BLOB NOT NULL,
            request_id TEXT,
            conflict_source_id INTEGER,
            conflict_line INTEGER
        );
        CREATE INDEX rejects_source ON rejects(source_id, line);

        """
        for table in dimensionTables {
            sql += "CREATE TABLE \(table)(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\n"
        }
        for kind in CallKind.allCases { sql += "INSERT INTO call_kinds VALUES(\(kind.rawValue), '\(kind.name)');\n" }
        for s in CallStatus.allCases { sql += "INSERT INTO call_statuses VALUES(\(s.rawValue), '\(s.name)');\n" }
        for o in ActionOutcome.allCases { sql += "INSERT INTO action_outcomes VALUES(\(o.rawValue), '\(o.name)');\n" }
        for t in ServiceTier.allCases { sql += "INSERT INTO service_tiers VALUES(\(t.rawValue), '\(t.name)');\n" }
        sql += requestsView(extras: false) + views + pricesView(extras: false)
        return sql
    }

    /// `v_requests`: every request with its names; from version 5 with its `extras` (JSON text).
    static func requestsView(extras: Bool) -> String {
    """
    CREATE VIEW v_requests AS
    SELECT r.id,
           r.id >> 20 AS ts_ms,
           strftime('%Y-%m-%dT%H:%M:%fZ', (r.id >> 20) / 1000.0, 'unixepoch') AS timestamp,
           r.request_id,
           a.action_id,
           m.name AS model,
           coalesce(w.name, 'unassigned') AS workflow,
           t.name AS team,
           u.name AS user_id,
           sg.name AS user_segment,
           pj.name AS project,
           ak.name AS api_key_id,
           pv.name AS provider,
           ti.name AS tier,
           k.name AS kind,
           st.name AS status,
           r.attempt,
           fr.name AS fallback_reason,
           ff.name AS fallback_from,
           ao.name AS action_outcome,
           r.input_tokens, r.output_tokens, r.cached_input_tokens, r.cache_write_tokens,
           r.cache_write_1h_tokens, r.reasoning_tokens,
           r.batch,
           sv.name AS service_tier,
           r.latency_ms, r.quality_score / 1e6 AS quality_score,
           r.gateway_cost / 1e12 AS gateway_cost_usd,
           r.cost / 1e12 AS cost_usd,
           r.cost IS NOT NULL AS priced,
           r.price_id,
           s.path AS source_path,
           r.line AS source_line,
           md.name AS metadata\(extras ? ",\n           r.extras" : "")
    FROM requests r
    LEFT JOIN action_keys ax ON ax.key = r.action_key
    LEFT JOIN actions a ON a.id = ax.action
    LEFT JOIN models m ON m.id = r.model_id
    LEFT JOIN workflows w ON w.id = r.workflow_id
    LEFT JOIN teams t ON t.id = r.team_id
    LEFT JOIN users u ON u.id = r.user_id
    LEFT JOIN segments sg ON sg.id = r.segment_id
    LEFT JOIN projects pj ON pj.id = r.project_id
    LEFT JOIN api_keys ak ON ak.id = r.api_key_id
    LEFT JOIN providers pv ON pv.id = r.provider_id
    LEFT JOIN tiers ti ON ti.id = r.tier_id
    LEFT JOIN call_kinds k ON k.id = r.kind
    LEFT JOIN call_statuses st ON st.id = r.status
    LEFT JOIN fallback_reasons fr ON fr.id = r.fallback_reason_id
    LEFT JOIN models ff ON ff.id = r.fallback_from_id
    LEFT JOIN action_outcomes ao ON ao.id = r.action_outcome
    LEFT JOIN service_tiers sv ON sv.id = r.service_tier
    LEFT JOIN sources s ON s.id = r.source_id
    LEFT JOIN metadata md ON md.id = r.metadata_id;


    """
    }

    /// `v_prices`: every rate card in dollars per 1M tokens; from version 5 with audio and image rates and the
    /// price per image.
    static func pricesView(extras: Bool) -> String {
    """
    CREATE VIEW v_prices AS
    SELECT p.id, p.provider, p.model, p.aliases, p.effective_from, p.currency, p.origin, p.source,
           pr.tier, pr.long_context, p.long_context_threshold,
           pr.input / 1e6 AS input_per_mtok,
           pr.cached_input / 1e6 AS cached_input_per_mtok,
           pr.cache_write_5m / 1e6 AS cache_write_5m_per_mtok,
           pr.cache_write_1h / 1e6 AS cache_write_1h_per_mtok,
           pr.output / 1e6 AS output_per_mtok,
           pr.reasoning / 1e6 AS reasoning_per_mtok\(extras ? ",\n           pr.audio_input / 1e6 AS audio_input_per_mtok,\n           pr.cached_audio_input / 1e6 AS cached_audio_input_per_mtok,\n           pr.audio_output / 1e6 AS audio_output_per_mtok,\n           pr.image_input / 1e6 AS image_input_per_mtok,\n           pr.image_output / 1e6 AS image_output_per_mtok,\n           p.per_image / 1e12 AS per_image_usd" : "")
    FROM prices p JOIN price_rates pr ON pr.price_id = p.id;

    """
    }

    /// Views with names, dollars and ISO times, so that any SQLite tool can read the data.
    /// Dollar columns are REAL approximations for browsing; exact values are the integer picodollar
    /// columns of the tables.
    static let views = """
    CREATE VIEW v_actions AS
    SELECT a.id,
           a.action_id,
           strftime('%Y-%m-%dT%H:%M:%fZ', (a.first_request >> 20) / 1000.0, 'unixepoch') AS first_timestamp,
           strftime('%Y-%m-%dT%H:%M:%fZ', (a.last_request >> 20) / 1000.0, 'unixepoch') AS last_timestamp,
           coalesce(w.name, 'unassigned') AS workflow, t.name AS team, u.name AS user_id, sg.name AS user_segment,
           ao.name AS outcome,
           a.calls, a.retries, a.fallbacks, a.classifier_calls, a.validation_calls, a.failed_calls,
           a.max_attempt,
           a.cost / 1e12 AS cost_usd,
           a.failed_cost / 1e12 AS failed_cost_usd,
           a.unpriced_calls
    FROM actions a
    LEFT JOIN workflows w ON w.id = a.workflow_id
    LEFT JOIN teams t ON t.id = a.team_id
    LEFT JOIN users u ON u.id = a.user_id
    LEFT JOIN segments sg ON sg.id = a.segment_id
    LEFT JOIN action_outcomes ao ON ao.id =
        coalesce(a.outcome, CASE WHEN a.last_status = 1 THEN 1 ELSE 2 END);

    CREATE VIEW v_rejects AS
    SELECT r.id, s.path AS source_path, r.line, r.reason, r.message,
           CAST(r.raw AS TEXT) AS raw, r.request_id,
           cs.path AS conflict_path, r.conflict_line
    FROM rejects r
    LEFT JOIN sources s ON s.id = r.source_id
    LEFT JOIN sources cs ON cs.id = r.conflict_source_id;


    """
}

/// Problems with a database file as a whole.
public enum SchemaError: Error, Sendable, CustomStringConvertible {
    case newerVersion(path: String, found: Int64, supported: Int64)
    case notTokenLedger(path: String)
    /// An SQLite file with no tables yet (a new database another process is creating, or an empty file).
    case empty(path: String)
    /// A file from an older TokenLedger that must be upgraded to be read, and cannot be written.
    case olderVersion(path: String, found: Int64, current: Int64)

    public var description: String {
        switch self {
        case .newerVersion(let path, let found, let supported):
            "\(path) was written by a newer TokenLedger (schema version \(found); this build reads up to \(supported)). Upgrade TokenLedger; the file was not changed."
        case .notTokenLedger(let path):
            "\(path) is an SQLite database that does not belong to TokenLedger; it was not changed. Pass another --db path."
        case .empty(let path):
            "\(path) holds no TokenLedger data yet; run `tokenledger import` first."
        case .olderVersion(let path, let found, let current):
            "\(path) was written by an older TokenLedger (schema version \(found); this build uses \(current)) and must be upgraded before it is read, but it cannot be written. Make it writable once (the next command upgrades it in place), or read it with the TokenLedger that wrote it."
        }
    }
}

