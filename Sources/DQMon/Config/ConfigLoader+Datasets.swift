import Foundation

/// Reading the datasets of one checks file, and letting go of its YAML tree, without holding up the command.
///
/// Why: config loading runs before anything else in every command, on one core. On a project of 1,000 datasets the
/// datasets' parsing was about a third of it and freeing the composed tree (tens of thousands of nodes) a tenth.
/// Datasets are independent of each other until `ConfigLoader.validateReferences`, so a long list is read in two
/// halves at once, and the tree is freed on another thread while the command goes on.
///
/// Contract: the datasets and every error are exactly what reading the list in order gives. The second half reports
/// into its own `Diagnostics`, replayed into the file's after the first half, in the order it was reported; since
/// `Diagnostics.report` keeps the first of equal errors, the result equals reporting everything in order.
extension ConfigLoader {
    /// Lists shorter than this are read on the calling thread: handing work to another thread costs more than it saves.
    static let datasetsWorthTwoThreads = 16

    /// The datasets `items` describe, in order (a dataset that cannot be read is left out, as `compactMap` would).
    static func parseDatasets(_ items: [ConfigNode], project: ProjectConfig, runbooks: RunbookResolver,
                              checkTypes: CheckRegistry) -> [DatasetConfig] {
        let work = TwoHalves(items: items, project: project, runbooks: runbooks, checkTypes: checkTypes)
        guard items.count >= datasetsWorthTwoThreads, ProcessInfo.processInfo.activeProcessorCount > 1 else {
            return work.parse(items)
        }
        // Check types may read the registries in effect (a task-local the other thread would not see otherwise).
        let registries = Registries.current
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 0 {
                work.first = work.parse(work.items[..<work.middle])
            } else {
                work.second = Registries.$current.withValue(registries) { work.parse(work.later) }
            }
        }
        let diagnostics = items[work.middle].diagnostics
        for error in work.laterDiagnostics.errors { diagnostics.report(error) }
        return work.first + work.second
    }

    /// One list split in two: the second half's nodes report into their own `Diagnostics`. Each half's result is
    /// written by one thread and read only after both have finished; the nodes are only read meanwhile (each half
    /// its own subtrees).
    private final class TwoHalves: @unchecked Sendable {
        let items: [ConfigNode]
        let middle: Int
        let laterDiagnostics = Diagnostics()
        let later: [ConfigNode]
        let project: ProjectConfig
        let runbooks: RunbookResolver
        let checkTypes: CheckRegistry
        var first: [DatasetConfig] = []
        var second: [DatasetConfig] = []

        init(items: [ConfigNode], project: ProjectConfig, runbooks: RunbookResolver, checkTypes: CheckRegistry) {
            self.items = items
            self.middle = items.count / 2
            self.project = project
            self.runbooks = runbooks
            self.checkTypes = checkTypes
            let laterDiagnostics = self.laterDiagnostics
            self.later = items.count < ConfigLoader.datasetsWorthTwoThreads ? [] : items[middle...].map { item in
                ConfigNode(context: ConfigFileContext(file: item.file, tree: item.context.tree, diagnostics: laterDiagnostics,
                                                      environment: item.environment), index: item.index)
            }
        }

        func parse<Items: Sequence<ConfigNode>>(_ items: Items) -> [DatasetConfig] {
            items.compactMap { DatasetConfig.parse($0, project: project, runbooks: runbooks, checkTypes: checkTypes) }
        }
    }

    /// Frees a file's composed tree on another thread. The caller hands over its only reference (`consume`).
    static func releaseLater(_ root: consuming ConfigNode) {
        let parcel = TreeParcel(root)
        DispatchQueue.global(qos: .utility).async { parcel.release() }
    }

    /// Holds the tree until `release()`, so the last reference is dropped (and the tree freed) on the thread that
    /// calls it, whichever thread lets go of the parcel itself.
    private final class TreeParcel: @unchecked Sendable {
        private var root: ConfigNode?

        init(_ root: consuming ConfigNode) {
            self.root = root
        }

        func release() {
            root = nil
        }
    }
}
