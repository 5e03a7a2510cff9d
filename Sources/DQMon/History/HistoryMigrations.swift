import GRDB

/// The history schema, as named, append-only migrations. Never edit a registered migration: add a new one.
///
/// Times are UTC epoch seconds (REAL) so that windows and durations are plain arithmetic and indexes stay small.
enum HistoryMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs-results-metrics", migrate: createRunsResultsMetrics)
        migrator.registerMigration("v1-schema-snapshots", migrate: createSchemaSnapshots)
        migrator.registerMigration("v2-incidents", migrate: createIncidents)
        migrator.registerMigration("v2-alert-outbox", migrate: createAlertOutbox)
        migrator.registerMigration("v2-metric-points-flagged", migrate: addMetricPointsFlagged)
        migrator.registerMigration("v3-sla-rollups", migrate: createSLARollups)
        migrator.registerMigration("v4-results-expected-range", migrate: addResultsExpectedRange)
        migrator.registerMigration("v5-result-samples", migrate: createResultSamples)
        migrator.registerMigration("v6-incident-review", migrate: createIncidentReview)
        migrator.registerMigration("v7-incident-lineage", migrate: addIncidentCausedBy)
        migrator.registerMigration("v8-results-status-comparisons", migrate: checkResultsStatusByComparison)
        return migrator
    }

    static func createRunsResultsMetrics(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE runs (
                id INTEGER PRIMARY KEY,
                started_at REAL NOT NULL,
                finished_at REAL NOT NULL,
                evaluated_at REAL NOT NULL,
                dqmon_version TEXT NOT NULL,
                config_hash TEXT NOT NULL,
                host TEXT NOT NULL,
                selection TEXT NOT NULL,
                check_count INTEGER NOT NULL,
                pass_count INTEGER NOT NULL,
                warn_count INTEGER NOT NULL,
                fail_count INTEGER NOT NULL,
                error_count INTEGER NOT NULL,
                exit_code INTEGER NOT NULL
            );
            CREATE INDEX runs_evaluated_at ON runs(evaluated_at);

            CREATE TABLE results (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                check_id TEXT NOT NULL,
                dataset TEXT NOT NULL,
                warehouse TEXT NOT NULL,
                check_type TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pass', 'warn', 'fail', 'error', 'skipped')),
                observed REAL,
                observed_text TEXT NOT NULL,
                expected TEXT NOT NULL,
                message TEXT NOT NULL,
                query_ms REAL,
                data_timestamp REAL,
                evaluated_at REAL NOT NULL
            );
            CREATE INDEX results_check_time ON results(check_id, evaluated_at);
            CREATE INDEX results_dataset_time ON results(dataset, evaluated_at);
            CREATE INDEX results_run ON results(run_id);

            CREATE TABLE metric_points (
                id INTEGER PRIMARY KEY,
                run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
                dataset TEXT NOT NULL,
                metric TEXT NOT NULL,
                value REAL NOT NULL,
                measured_at REAL NOT NULL,
                source TEXT NOT NULL DEFAULT 'check'
            );
            CREATE INDEX metric_points_series ON metric_points(dataset, metric, measured_at);

            -- One row per check: what scheduling (`every:`) and `max_change` need, without scanning results.
            CREATE TABLE check_state (
                check_id TEXT PRIMARY KEY,
                last_evaluated_at REAL NOT NULL,
                last_status TEXT NOT NULL,
                last_success_at REAL,
                last_success_observed REAL
            ) WITHOUT ROWID;
            """)
    }

    static func createSchemaSnapshots(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE schema_snapshots (
                id INTEGER PRIMARY KEY,
                run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
                dataset TEXT NOT NULL,
                warehouse TEXT NOT NULL,
                taken_at REAL NOT NULL,
                columns_hash TEXT NOT NULL,
                columns TEXT NOT NULL
            );
            CREATE INDEX schema_snapshots_dataset_time ON schema_snapshots(dataset, taken_at);
            """)
    }

    /// Anomalous points stay in history (for display) but must never train a baseline.
    static func addMetricPointsFlagged(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE metric_points ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0")
    }

    /// `dqmon sla` on a long history (a target of under 100 ms on 1,000,000 results) reads running totals for
    /// availability and pass rate (`DatasetRunTotals`), a partial covering index for freshness timelines, and a
    /// covering index for the incidents of a window; they replace the wider `results_sla` and `incidents_detected`.
    /// (`check_type` trails `results_freshness` only so that SQLite sees the index as covering.)
    static func createSLARollups(_ db: Database) throws {
        try DatasetRunTotals.migrate(db)
        try db.execute(sql: """
            DROP INDEX results_sla;
            CREATE INDEX results_freshness ON results(check_id, evaluated_at, status, data_timestamp, check_type) WHERE check_type = 'freshness';
            DROP INDEX incidents_detected;
            CREATE INDEX incidents_sla ON incidents(detected_at, dataset, onset_at, acknowledged_at, resolved_at);
            """)
    }

    /// The numeric expected range of a result (`CheckOutcome.expectedRange`), so history draws an anomaly check's
    /// band from numbers, not from its `expected` text. NULL for results without one, and for results recorded before.
    static func addResultsExpectedRange(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE results ADD COLUMN expected_low REAL;
            ALTER TABLE results ADD COLUMN expected_high REAL;
            """)
    }
}
