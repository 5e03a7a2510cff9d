import GRDB

extension HistoryMigrations {
    /// `v7-incident-lineage`: `incidents.caused_by`, the open upstream incident a new incident was linked to when it
    /// opened (lineage inhibition, `LineageInhibitor`). NULL for an incident with no upstream cause. When `dqmon prune`
    /// deletes the root, the link goes with it (ON DELETE SET NULL); the index answers "incidents linked to #N".
    static func addIncidentCausedBy(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE incidents ADD COLUMN caused_by INTEGER REFERENCES incidents(id) ON DELETE SET NULL;
            CREATE INDEX incidents_caused_by ON incidents(caused_by) WHERE caused_by IS NOT NULL;
            """)
    }
}
