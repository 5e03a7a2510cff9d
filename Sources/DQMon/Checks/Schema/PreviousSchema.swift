import Foundation

/// The dataset's latest stored schema snapshot, which a schema check compares this run's columns with.
/// Absent for a dataset never snapshotted (the check's first run records a baseline).
public enum PreviousSchema: CheckContextKey {
    public static func load(_ request: CheckContextRequest) throws(HistoryError) -> [String: SchemaSnapshot] {
        try request.history.latestSchemaSnapshots(datasets: request.datasets.map(\.dataset.name))
    }
}
