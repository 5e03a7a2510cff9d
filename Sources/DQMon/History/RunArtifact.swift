/// Something a check keeps in history beside its result, e.g. a schema check's snapshot of the columns when they
/// changed. Carried by `CheckOutcome.artifacts`; the engine has each artifact write itself inside the run's
/// transaction, so it commits with the run or not at all, and a new kind needs no change to the engine or to the
/// results table. Like every statement on the history, its writer lives in History/ (the file of its table, in
/// the `HistoryTransaction` style); the check type only constructs the value.
public protocol RunArtifact: Sendable {
    /// Writes the artifact for `result`, in the transaction that records run `runID`. Must be idempotent within a run:
    /// several checks of one dataset may carry the same artifact.
    func record(for result: CheckResult, runID: Int64, in transaction: HistoryTransaction) throws
}
