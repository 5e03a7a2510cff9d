/// Seeds for `ConfigFuzzTests`: the demo project's config as of this writing (the test also reads the live files
/// from the repository, so the corpus follows the demo), plus seeds that reach the keys the demo does not use:
/// PostgreSQL settings, SLA overrides, anomaly parameters, every receiver type, routes and maintenance windows.
///
/// Each seed is a whole file; `path` is where it goes in the fuzzed project. Kept as string literals so the
/// corpus lives in the repository without a resources entry in Package.swift.
enum ConfigFuzzCorpus {
    struct Seed {
        let path: String
        let text: String
    }

    static let seeds: [Seed] = demo + extra

    static let demo: [Seed] = [
        Seed(path: "dqmon.yml", text: """
        # dqmon project settings. Every file starts with `version: 1`.
        version: 1

        # Warehouses the checks in checks/ run against. Values may use ${ENV_VAR} or ${ENV_VAR:-default}.
        warehouses:
          # The embedded demo warehouse: `dqmon demo` creates it.
          demo: { type: sqlite, path: "${DQMON_DEMO_WAREHOUSE:-.dqmon/demo-warehouse.sqlite}" }

        default_warehouse: demo

        # Where runs, results and metric points are kept (never commit it), and for how long (`dqmon prune`).
        history: { path: .dqmon/history.sqlite, retention: 400d }

        # SLA targets per tier (defaults shown). 1 = executive/finance, 2 = domain, 3 = exploratory.
        tiers:
          1: { freshness: 99%, availability: 99.5%, pass_rate: 99.5%, mttd: 15m, mttr: 2h }
          2: { freshness: 97%, availability: 98%, pass_rate: 98%, mttd: 1h, mttr: 24h }
          3: { freshness: 90%, availability: 95%, pass_rate: 95%, mttd: 24h, mttr: 72h }

        # Check status x dataset tier -> alert severity (none = record only).
        severity:
          1: { fail: critical, error: warning, warn: warning }
          2: { fail: warning, error: info, warn: info }
          3: { fail: info, error: none, warn: none }
        """),
        Seed(path: "checks/orders.yml", text: """
        version: 1
        datasets:
          # One dataset = one warehouse table. `name` is the table as the warehouse names it
          # (`schema.table` on PostgreSQL; just the table on SQLite).
          - name: orders
            tier: 1                       # 1 executive/finance, 2 domain, 3 exploratory (default 3)
            owner: team-orders            # who gets paged, and who `--select owner:team-orders` picks
            description: One row per order, loaded hourly from the orders service.
            tags: [finance, core]         # `--select tag:finance`
            runbook: runbooks/stale-data.md
            every: 1h                     # checks are due hourly; `dqmon check --all` runs them anyway
            checks:
              # Freshness: age = now - max(updated_at). error_after (-> fail) is checked before warn_after.
              - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
              # Whole-table volume: fail below min_rows (default 1, so an empty table always fails).
              - volume: { min_rows: 500 }
              # Windowed volume: rows whose created_at falls in the last day; a named check gets the id
              # orders/volume/daily_orders. max_change compares with the previous successful run.
              - volume:
                  name: daily_orders
                  window: 1d
                  column: created_at
                  min_rows: 400
                  max_change: { warn: 25%, fail: 50% }
                  runbook: runbooks/volume-drop.md
              # Schema drift: columns (name, normalized type, nullable, position) are snapshotted every run and
              # compared with the previous snapshot. Severities per kind of change: fail | warn | info | none
              # (defaults: removed fail, type_changed fail, nullable_changed warn, added warn, reordered none).
              # In the demo, `discount` is dropped on day 24: that run fails with `removed column "discount"`.
              # The contract is checked on every run, the first one too: a missing column or another type fails.
              # On SQLite, types follow affinity (INTEGER, BIGINT, INT8 are all `integer`).
              - schema:
                  on_added: info
                  contract: { id: integer, customer_id: integer, amount: numeric, status: text, created_at: text }
        """),
        Seed(path: "checks/payments.yml", text: """
        version: 1
        datasets:
          - name: payments
            tier: 1
            owner: team-payments
            description: Settled payments, one row per payment, loaded hourly by the payments ELT job.
            tags: [finance]
            runbook: runbooks/stale-data.md
            dbt: source.shop.shop_raw.payments
            checks:
              - freshness: { column: paid_at, warn_after: 90m, error_after: 3h, where: "amount > 0" }
              - volume: { min_rows: 500, max_change: 50% }
              # Schema drift with the default severities. In the demo the loader starts writing `amount` as
              # text on day 9: that run fails with `type of "amount" changed numeric -> text`.
              - schema: {}
        """),
        Seed(path: "checks/product.yml", text: """
        version: 1
        datasets:
          # A file may hold several datasets.
          - name: events
            tier: 2
            owner: team-product
            description: Product analytics events (occurred_at is stored as epoch seconds).
            tags: [product]
            runbook: runbooks/volume-drop.md
            checks:
              - freshness: { column: occurred_at, warn_after: 1h, error_after: 4h }
              - volume: { name: daily_events, window: 1d, column: occurred_at, min_rows: 600 }
              # Events per hour against their own history: learns the daily rhythm (hour_of_day, once two days exist),
              # so the demo's 3-hour bot flood on day 25 fails while ordinary evenings pass.
              # 'dqmon backtest events/anomaly/hourly_events' shows what it would have flagged.
              - anomaly: { name: hourly_events, metric: row_count_1h, column: occurred_at, direction: both,
                           min_change: { percent: 20% } }

          - name: customers
            tier: 3
            owner: team-crm
            description: Customer master data from the CRM, synced every few hours.
            tags: [core]
            every: 6h                     # a slower table: checked four times a day
            checks:
              - freshness: { column: updated_at, warn_after: 12h, error_after: 1d }
              - volume: { min_rows: 100, max_change: { warn: 10%, fail: 30% } }
        """),
        Seed(path: "alerts/alerts.yml", text: """
        # Where alerts go (README "Alerts"). Every file in alerts/ starts with `version: 1`.
        version: 1

        # Receivers: a name and a type (slack, teams, pagerduty, webhook, file). URLs and keys are secrets:
        # write them as ${ENV_VAR}; dqmon prints and stores them redacted (scheme and host only).
        receivers:
          # JSON lines on disk (the webhook body, schema version 1): the demo's default, nothing leaves the machine.
          local: { type: file, path: .dqmon/alerts.jsonl }
          # Real webhooks, switched on by exporting the variable (`${VAR:-}` = empty when unset = receiver off).
          slack: { type: slack, url: "${DQMON_SLACK_WEBHOOK:-}" }
          teams: { type: teams, url: "${DQMON_TEAMS_WEBHOOK:-}" }
          # pager: { type: pagerduty, routing_key: "${PD_ROUTING_KEY}" }
          # audit: { type: webhook, url: "${AUDIT_WEBHOOK}", secret: "${AUDIT_HMAC_SECRET}" }

        # Routes are tried in order; the first that matches wins, unless it says `continue: true`.
        # `match` keys (all must match; a list matches any item): severity, tier, dataset (glob), owner, tags,
        # check_type, check (glob). A route without `match` catches everything: put it last as the default.
        routes:
          - match: { severity: critical }
            receivers: [local, slack, teams]
            repeat_interval: 4h          # re-sent while open and not acknowledged (default: 4h critical, 24h otherwise)
          - match: { severity: warning, tags: [finance] }
            receivers: [local, slack, teams]
            continue: true               # also try the routes below
          - receivers: [local]           # the default route
            send_resolved: true          # tell when the check passes again (the default)

        # Maintenance windows: cron (5 fields, UTC) + duration. Alerts for matching datasets are recorded but held,
        # and sent when the window ends if the incident is still open.
        maintenance:
          - { datasets: ["events"], cron: "0 3 * * SUN", duration: 1h, reason: weekly vacuum of the events table }

        # How long one run may spend retrying failed deliveries (then they wait for the next run or
        # `dqmon alerts flush`), and one request's timeout.
        delivery: { budget: 30s, timeout: 10s }
        """),
    ]
    static let extra: [Seed] = [
        // Lineage: `upstream:` across datasets and `exposures:` (self-contained, so the file loads alone).
        Seed(path: "checks/lineage.yml", text: """
        version: 1
        datasets:
          - name: fuzz_raw_payments
            checks:
              - volume: { min_rows: 1 }
          - name: fuzz_daily_revenue
            tier: 1
            upstream: [fuzz_raw_payments]
            checks:
              - volume: { min_rows: 1 }
        exposures:
          - name: fuzz_dashboard
            type: dashboard
            owner: exec-analytics
            maturity: high
            url: https://bi.example.com/d/42
            description: The board's revenue dashboard.
            depends_on: [fuzz_daily_revenue, fuzz_raw_payments]
        """),
        Seed(path: "dqmon.yml", text: """
        version: 1
        warehouses:
          demo: { type: sqlite, path: demo.sqlite, busy_timeout: 5s }
          prod: { type: postgres, url: "postgres://dq:${PGPASSWORD:-pw}@db.example.com:5432/analytics?sslmode=require",
                  schema: analytics, sslmode: verify-full, max_connections: 4, statement_timeout: 60s, connect_timeout: 10s }
        default_warehouse: demo
        history: { path: .dqmon/history.sqlite, retention: 400d }
        tiers:
          1: { freshness: 99%, availability: 99.5%, pass_rate: 99.5%, mttd: 15m, mttr: 2h, documentation: 100% }
        severity:
          1: { fail: critical, error: warning, warn: warning }
        runbook_base_url: https://github.com/acme/data-monitoring/blob/main/
        report_url: https://data.example.com/dqmon/report.html
        incidents: { reopen_within: 1h }
        """),
        Seed(path: "checks/extra.yml", text: """
        version: 1
        datasets:
          - name: analytics.orders
            warehouse: demo
            tier: 1
            owner: team-orders
            description: One row per order.
            tags: [finance, core]
            runbook: runbooks/stale-data.md
            every: 15m
            timezone: Europe/Berlin
            sla: { freshness: 99%, mttr: 1h }
            checks:
              - freshness: { column: updated_at, warn_after: 2h, error_after: 6h, runbook: https://wiki.example.com/stale }
              - volume: { min_rows: 1000, max_rows: 1000000 }
              - volume: { name: daily, window: 1d, column: created_at, min_rows: 500, max_change: { warn: 20%, fail: 50% } }
              - schema: { on_added: info, on_removed: fail, on_type_changed: fail, on_reordered: none,
                          contract: { id: bigint, amount: numeric, status: text } }
              - anomaly: { metric: row_count, sensitivity: 3, training: 28d, min_history: 14, seasonality: auto, direction: both }
              - anomaly: { name: nulls, metric: null_rate(customer_id), direction: spike, min_change: { absolute: 100, percent: 10% } }
              - anomaly: { name: custom, sql: "select count(*) from orders", seasonality: day_of_week }
              - anomaly: { name: hourly, metric: row_count_1h, column: created_at }
              - anomaly: { name: by_country, metric: row_count_1d, column: created_at, group_by: [country, channel], max_segments: 50 }
        """),
        Seed(path: "checks/rules.yml", text: """
        version: 1
        datasets:
          - name: payments
            warehouse: demo
            where: "created_at >= '2026-01-01'"
            checks:
              - accepted_values: { column: status, values: [paid, refunded, void], warn: 1%, fail: 5%, samples: 5, sample_columns: [id, status] }
              - references: { column: order_id, to_dataset: orders_copy, to_column: id, where: "amount > 0" }
              - compare: { name: rows, metric: row_count, with: { dataset: orders_copy, where: "id > 0" }, tolerance: { warn: 1%, fail: 5% } }
              - compare:
                  name: amount
                  metric: { sum: amount }
                  where: "region = 'EU'"
                  with: { table: analytics.payments, warehouse: demo, column: amount_eur }
                  tolerance: 100.5
              - compare: { name: latest, metric: { max: updated_at }, with: { dataset: orders_copy }, tolerance: { warn: 10m, fail: 1h } }
          - name: orders_copy
            warehouse: demo
            checks:
              - volume: { min_rows: 1 }
        """),
        Seed(path: "alerts/extra.yml", text: """
        version: 1
        receivers:
          x-slack: { type: slack, url: "https://hooks.slack.com/services/T0/B0/x" }
          x-teams: { type: teams, url: "https://example.webhook.office.com/x" }
          x-pager: { type: pagerduty, routing_key: "${PD_ROUTING_KEY:-key}" }
          x-audit: { type: webhook, url: "https://audit.example.com/hook?token=t", secret: "s3cret", include_samples: true }
          x-local: { type: file, path: .dqmon/alerts.jsonl }
        routes:
          - match: { severity: critical, tier: [1, 2], dataset: "analytics.*", owner: team-orders, tags: [finance],
                     check_type: freshness, check: "analytics.orders/*" }
            receivers: [x-pager, x-slack, x-teams, x-audit]
            repeat_interval: 1h
            continue: true
            send_resolved: false
            include_samples: false
          - receivers: [x-local]
        maintenance:
          - { datasets: ["analytics.*"], cron: "0 2 * * SUN", duration: 2h, reason: weekly vacuum }
        delivery: { budget: 30s, timeout: 10s }
        """),
    ]

    /// Values spliced in by the mutator: extremes, non-finite numbers, broken interpolation, control characters,
    /// structure where a value belongs, and paths and URLs that must be refused.
    static let extremeValues: [String] = [
        "1e309", "-1e309", "1e300", "-0", "0", "-1", "NaN", "nan", "inf", "-inf", "infinity", ".inf", "0x1p3",
        "99999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "99999999999999999999w", "99999999999999999999d", "1e309s", "0s", "-5m", "0.0000001s", "1.5.5h", "3650d", "3651d",
        "1e300%", "inf%", "infinity%", "nan%", "-0%", "-5%", "100.0000001%", "10001%", "%", "50%%",
        "${", "${X", "${}", "${ A }", "$${X}", "${UNSET}", "${X:-", "${X:-${Y}}",
        "\0", "\u{1}", "\u{7F}", "\u{FEFF}", "\u{2028}", "\t", "\r", "'", "\"", "\\", "#",
        "{a: b}", "[a, b]", "{}", "[]", "~", "null", "&anchor x", "*anchor", "!!binary AAAA", "? complex", "|", ">",
        "../../../../etc/passwd", "/proc/self/environ", "/etc/passwd", "runbooks", "file:///etc/passwd", "HTTP://EXAMPLE.COM/x",
        "ftp://example.com/x", "https://", "postgres://u:p@h:99999/d", "postgres://u@h:0/d", "postgres://[::1", "postgres://u@/d?port=x",
        "[[:alpha:]]*", "[", "*", "sqlite", "postgres", "freshness", "volume", "anomaly", "schema",
    ]
}
