import GRDB

extension HistoryMigrations {
    /// `v2-incidents`: incidents, their timeline events (notes included), and the indexes that keep
    /// `dqmon incidents` and `dqmon sla` off full scans (checked with EXPLAIN QUERY PLAN in IncidentsCommandTests).
    static func createIncidents(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE incidents (
                id INTEGER PRIMARY KEY,
                check_id TEXT NOT NULL,
                dataset TEXT NOT NULL,
                check_type TEXT NOT NULL,
                tier INTEGER NOT NULL,
                owner TEXT,
                runbook TEXT,
                status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
                severity TEXT NOT NULL CHECK (severity IN ('none', 'info', 'warning', 'critical')),
                -- 0 none .. 3 critical, so "most severe first" can walk an index
                severity_rank INTEGER NOT NULL,
                detected_at REAL NOT NULL,
                onset_at REAL NOT NULL,
                onset_basis TEXT NOT NULL CHECK (onset_basis IN ('data_timestamp', 'last_pass', 'first_run')),
                acknowledged_at REAL,
                acknowledged_by TEXT,
                resolved_at REAL,
                resolved_by TEXT,
                resolve_reason TEXT CHECK (resolve_reason IN ('auto', 'manual')),
                flap_count INTEGER NOT NULL DEFAULT 0,
                last_status TEXT NOT NULL,
                last_seen_at REAL NOT NULL,
                last_observed_text TEXT NOT NULL,
                last_expected TEXT NOT NULL,
                last_message TEXT NOT NULL
            );
            -- One open incident per check id, enforced by the database.
            CREATE UNIQUE INDEX incidents_open_check ON incidents(check_id) WHERE status = 'open';
            CREATE INDEX incidents_check ON incidents(check_id, id);
            -- `dqmon incidents`: open first ('open' < 'resolved'), most severe, newest.
            CREATE INDEX incidents_listing ON incidents(status, severity_rank DESC, detected_at DESC);
            CREATE INDEX incidents_dataset_listing ON incidents(dataset, status, severity_rank DESC, detected_at DESC);
            -- `dqmon sla`: incidents detected in the window.
            CREATE INDEX incidents_detected ON incidents(detected_at);

            CREATE TABLE incident_events (
                id INTEGER PRIMARY KEY,
                incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
                at REAL NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('opened', 'reopened', 'escalated', 'updated', 'resolved', 'acknowledged', 'note')),
                detail TEXT NOT NULL,
                by TEXT NOT NULL
            );
            CREATE INDEX incident_events_incident ON incident_events(incident_id, at);

            -- `dqmon sla` (until v3-sla-rollups replaced it): one covering index answered pass rate, availability and freshness timelines
            -- for a dataset and window without touching the results table.
            CREATE INDEX results_sla ON results(dataset, evaluated_at, check_type, status, check_id, data_timestamp);
            """)
    }
}
