import Foundation
import GRDB
import Synchronization

/// The rows of the demo's tables that any statement inserted, updated or deleted since the last `take()`, recorded
/// from SQLite's own change notifications (a GRDB transaction observer on the demo's connection).
///
/// Why: the copies in PostgreSQL and MySQL must follow the SQLite demo exactly, and the story now also corrects and
/// removes rows. Recording what SQLite reports, rather than what each story step says it changed, keeps a later
/// `UPDATE` or `DELETE` in the story from silently diverging the copies. Row ids are the tables' `INTEGER PRIMARY KEY`
/// (SQLite's rowid). Changes of a rolled-back transaction are dropped. Tables being rebuilt under another name
/// (`payments_new`) are not demo tables and are ignored: their ALTERs reach the copies as `DemoSchemaChange`s.
final class DemoChangeLog: TransactionObserver, Sendable {
    /// Ids touched per table: written (inserted or updated) and deleted.
    struct Changes: Equatable {
        var written: [String: Set<Int64>] = [:]
        var deleted: [String: Set<Int64>] = [:]

        mutating func formUnion(_ other: Changes) {
            for (table, ids) in other.written { written[table, default: []].formUnion(ids) }
            for (table, ids) in other.deleted { deleted[table, default: []].formUnion(ids) }
        }
    }

    private let tables: Set<String>
    /// Changes of the open transaction, and those committed since `take()` (GRDB calls in on the writer's queue).
    private let state = Mutex((pending: Changes(), committed: Changes()))

    init(tables: [String]) {
        self.tables = Set(tables)
    }

    /// The committed changes since the previous call.
    func take() -> Changes {
        state.withLock { state in
            defer { state.committed = Changes() }
            return state.committed
        }
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        tables.contains(eventKind.tableName)
    }

    func databaseDidChange(with event: DatabaseEvent) {
        guard tables.contains(event.tableName) else { return }
        let table = event.tableName, id = event.rowID, kind = event.kind
        state.withLock { state in
            switch kind {
            case .insert, .update: state.pending.written[table, default: []].insert(id)
            case .delete: state.pending.deleted[table, default: []].insert(id)
            }
        }
    }

    func databaseDidCommit(_ db: Database) {
        state.withLock { state in
            state.committed.formUnion(state.pending)
            state.pending = Changes()
        }
    }

    func databaseDidRollback(_ db: Database) {
        state.withLock { $0.pending = Changes() }
    }
}
