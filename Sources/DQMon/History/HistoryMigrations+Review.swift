import GRDB

extension HistoryMigrations {
    /// `v6-incident-review`: what the weekly incident review records about an incident, and its follow-up actions.
    ///
    /// - `incidents.cause`: why it happened (`IncidentCause`: upstream, code, infrastructure, data, config, unknown);
    ///   NULL until someone says. `incidents.rca_url`: the http(s) link to the written root-cause analysis.
    /// - `incident_followups`: actions agreed in the review, numbered 1, 2, … per incident (`number`), open until
    ///   marked done. They go with their incident when `dqmon prune` deletes it (ON DELETE CASCADE).
    /// - `incident_followups_open` keeps "every open follow-up" (the review's agenda) off a full scan.
    static func createIncidentReview(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE incidents ADD COLUMN cause TEXT
                CHECK (cause IN ('upstream', 'code', 'infrastructure', 'data', 'config', 'unknown'));
            ALTER TABLE incidents ADD COLUMN rca_url TEXT;

            CREATE TABLE incident_followups (
                id INTEGER PRIMARY KEY,
                incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
                number INTEGER NOT NULL,
                text TEXT NOT NULL,
                created_at REAL NOT NULL,
                created_by TEXT NOT NULL,
                done_at REAL,
                done_by TEXT,
                UNIQUE (incident_id, number)
            );
            CREATE INDEX incident_followups_open ON incident_followups(done_at, incident_id);
            """)
    }
}
