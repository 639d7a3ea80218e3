import LedgerAnalysis
import LedgerIngest
import LedgerPricing
import LedgerValues

extension Schema {
    /// Tables for the providers' own usage and cost exports (`docs/provider-exports.md`).
    ///
    /// Each row has a natural key (provider, export kind, bucket start and end, every grouping value, and
    /// the line item or token type for costs; a request's id for per-request exports) held in
    /// `natural_key`; importing the same bucket again replaces the row (the last import wins), so
    /// overlapping downloads are never added up. Times are UTC epoch milliseconds; money is exact integer
    /// picodollars, with the exported text kept in `amount_text`. Token columns follow TokenLedger's
    /// convention: `input_tokens` counts all input; the disjoint parts are kept beside it.
    static var version3: String {
        """
        CREATE TABLE provider_usage(
            id INTEGER PRIMARY KEY,
            natural_key TEXT NOT NULL UNIQUE,
            provider TEXT NOT NULL,
            export TEXT NOT NULL,
            bucket_start_ms INTEGER NOT NULL,
            bucket_end_ms INTEGER NOT NULL,
            model TEXT,
            model_key TEXT,
            project TEXT,
            api_key TEXT,
            user_id TEXT,
            batch INTEGER,
            service_tier TEXT,
            context_window TEXT,
            inference_geo TEXT,
            speed TEXT,
            record_id TEXT,
            requests INTEGER,
            input_tokens INTEGER NOT NULL,
            uncached_input_tokens INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            cache_write_5m_tokens INTEGER NOT NULL,
            cache_write_1h_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            reasoning_tokens INTEGER NOT NULL,
            web_search_requests INTEGER NOT NULL,
            source_id INTEGER NOT NULL,
            line INTEGER NOT NULL
        );
        CREATE INDEX provider_usage_time ON provider_usage(bucket_start_ms);

        CREATE TABLE provider_costs(
            id INTEGER PRIMARY KEY,
            natural_key TEXT NOT NULL UNIQUE,
            provider TEXT NOT NULL,
            export TEXT NOT NULL,
            bucket_start_ms INTEGER NOT NULL,
            bucket_end_ms INTEGER NOT NULL,
            model TEXT,
            model_key TEXT,
            project TEXT,
            api_key TEXT,
            line_item TEXT,
            cost_type TEXT,
            token_type TEXT,
            charge_category TEXT NOT NULL,
            service_tier TEXT,
            context_window TEXT,
            inference_geo TEXT,
            speed TEXT,
            quantity TEXT,
            quantity_unit TEXT,
            quantity_tokens INTEGER,
            amount INTEGER NOT NULL,
            amount_text TEXT NOT NULL,
            currency TEXT NOT NULL,
            list_amount INTEGER,
            record_id TEXT,
            source_id INTEGER NOT NULL,
            line INTEGER NOT NULL
        );
        CREATE INDEX provider_costs_time ON provider_costs(bucket_start_ms);

        CREATE VIEW v_provider_usage AS
        SELECT u.id, u.provider, u.export,
               strftime('%Y-%m-%dT%H:%M:%SZ', u.bucket_start_ms / 1000.0, 'unixepoch') AS bucket_start,
               strftime('%Y-%m-%dT%H:%M:%SZ', u.bucket_end_ms / 1000.0, 'unixepoch') AS bucket_end,
               u.model, u.model_key, u.project, u.api_key, u.user_id, u.batch, u.service_tier, u.context_window,
               u.inference_geo, u.speed, u.record_id, u.requests, u.input_tokens, u.uncached_input_tokens,
               u.cached_input_tokens, u.cache_write_5m_tokens, u.cache_write_1h_tokens, u.output_tokens,
               u.reasoning_tokens, u.web_search_requests, s.path AS source_path, u.line AS source_line
        FROM provider_usage u LEFT JOIN sources s ON s.id = u.source_id;

        \(providerCostsView(cloud: false))
        """
    }

    /// Cloud bills (FOCUS cost exports of AWS, Azure and Google Cloud): a line keeps the FOCUS costs apart —
    /// `amount` is the `BilledCost` and `list_amount` the `ListCost`, beside them `contracted_amount`
    /// (`ContractedCost`) and `effective_amount` (`EffectiveCost`), exact picodollars — with its
    /// `service_name`, `sku_id`, `sku_price_details` (JSON text as exported) and `cloud_extra` (the provider's
    /// `x_` columns and the region, resource and pricing columns, as JSON). NULL for the other exports.
    static let version6 = """
        ALTER TABLE provider_costs ADD COLUMN contracted_amount INTEGER;
        ALTER TABLE provider_costs ADD COLUMN effective_amount INTEGER;
        ALTER TABLE provider_costs ADD COLUMN service_name TEXT;
        ALTER TABLE provider_costs ADD COLUMN sku_id TEXT;
        ALTER TABLE provider_costs ADD COLUMN sku_price_details TEXT;
        ALTER TABLE provider_costs ADD COLUMN cloud_extra TEXT;
        DROP VIEW IF EXISTS v_provider_costs;
        \(providerCostsView(cloud: true))
        """

    /// `v_provider_costs`; from version 6 with the cloud bills' columns.
    static func providerCostsView(cloud: Bool) -> String {
        let extra = cloud
            ? """
               c.contracted_amount / 1e12 AS contracted_amount_usd, c.effective_amount / 1e12 AS effective_amount_usd,
                      c.service_name, c.sku_id, c.sku_price_details, c.cloud_extra,
            """
            : ""
        return """
        CREATE VIEW v_provider_costs AS
        SELECT c.id, c.provider, c.export,
               strftime('%Y-%m-%dT%H:%M:%SZ', c.bucket_start_ms / 1000.0, 'unixepoch') AS bucket_start,
               strftime('%Y-%m-%dT%H:%M:%SZ', c.bucket_end_ms / 1000.0, 'unixepoch') AS bucket_end,
               c.model, c.model_key, c.project, c.api_key, c.line_item, c.cost_type, c.token_type, c.charge_category,
               c.service_tier, c.context_window, c.quantity, c.quantity_unit, c.quantity_tokens,
               c.amount / 1e12 AS amount_usd, c.amount_text, c.currency, c.list_amount / 1e12 AS list_amount_usd,
               \(extra)c.record_id, s.path AS source_path, c.line AS source_line
        FROM provider_costs c LEFT JOIN sources s ON s.id = c.source_id;

        """
    }
}
