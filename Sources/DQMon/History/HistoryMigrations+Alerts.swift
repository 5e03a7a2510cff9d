import GRDB

extension HistoryMigrations {
    /// The alert outbox: one row per message to send, the incident events each carries,
    /// what each receiver has been told about each incident, and silences.
    ///
    /// Bodies are stored as sent, minus secrets (a PagerDuty routing key is added at send time), so a retried
    /// webhook carries the same body and `webhook-id` it was first signed with.
    static func createAlertOutbox(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE alert_notifications (
                id INTEGER PRIMARY KEY,
                receiver TEXT NOT NULL,
                receiver_type TEXT NOT NULL,
                webhook_id TEXT NOT NULL UNIQUE,
                run_id INTEGER,
                created_at REAL NOT NULL,
                event_count INTEGER NOT NULL,
                summary TEXT NOT NULL,
                body TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at REAL NOT NULL,
                last_attempt_at REAL,
                sent_at REAL,
                last_error TEXT,
                response_status INTEGER,
                response_body TEXT
            );
            CREATE INDEX alert_notifications_due ON alert_notifications(status, next_attempt_at);

            CREATE TABLE alert_notification_events (
                id INTEGER PRIMARY KEY,
                notification_id INTEGER NOT NULL REFERENCES alert_notifications(id) ON DELETE CASCADE,
                incident_id INTEGER NOT NULL,
                kind TEXT NOT NULL,
                check_id TEXT NOT NULL,
                dataset TEXT NOT NULL,
                severity TEXT NOT NULL
            );
            CREATE INDEX alert_notification_events_incident ON alert_notification_events(incident_id);
            CREATE INDEX alert_notification_events_notification ON alert_notification_events(notification_id);

            -- What each receiver has been told about each incident: drives repeats, resolves and the release
            -- of events held back by a silence or maintenance window (`owed`).
            CREATE TABLE alert_state (
                incident_id INTEGER NOT NULL,
                receiver TEXT NOT NULL,
                is_open INTEGER NOT NULL,
                notified INTEGER NOT NULL,
                owed TEXT,
                held_reason TEXT,
                acknowledged_sent INTEGER NOT NULL DEFAULT 0,
                last_notified_at REAL,
                repeat_interval REAL NOT NULL,
                send_resolved INTEGER NOT NULL,
                event TEXT NOT NULL,
                PRIMARY KEY (incident_id, receiver)
            ) WITHOUT ROWID;
            CREATE INDEX alert_state_open ON alert_state(is_open);

            CREATE TABLE silences (
                id INTEGER PRIMARY KEY,
                matchers TEXT NOT NULL,
                starts_at REAL NOT NULL,
                ends_at REAL NOT NULL,
                reason TEXT NOT NULL,
                created_by TEXT,
                created_at REAL NOT NULL,
                expired_at REAL
            );
            """)
    }
}
