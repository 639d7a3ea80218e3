#!/usr/bin/env python3
"""Converts routing-log JSON Lines to CSV with one column per field (the benchmark's sqlite3 peer).

Usage: jsonl-to-csv.py IN.jsonl OUT.csv
Columns are the union of the routing-log fields in a fixed order; nested objects become JSON text.
"""
import csv
import json
import sys

FIELDS = ["timestamp", "request_id", "action_id", "workflow", "team", "user_id", "user_segment", "project",
          "api_key_id", "provider", "model", "tier", "attempt", "kind", "fallback_reason", "fallback_from",
          "status", "action_outcome", "input_tokens", "cached_input_tokens", "cache_write_tokens",
          "cache_write_1h_tokens", "output_tokens", "reasoning_tokens", "latency_ms", "batch", "service_tier",
          "quality_score", "cost_usd", "metadata"]


def main(src, dst):
    with open(src, encoding="utf-8", errors="replace") as fin, open(dst, "w", newline="", encoding="utf-8") as fout:
        out = csv.writer(fout)
        out.writerow(FIELDS)
        for line in fin:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if not isinstance(rec, dict):
                continue
            row = []
            for f in FIELDS:
                v = rec.get(f)
                if v is None:
                    row.append("")
                elif isinstance(v, (dict, list)):
                    row.append(json.dumps(v, separators=(",", ":")))
                elif isinstance(v, bool):
                    row.append("true" if v else "false")
                else:
                    row.append(v)
            out.writerow(row)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
