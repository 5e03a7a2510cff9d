import Foundation

/// Runs a `dqmon check`'s datasets on `count` dedicated threads, each thread pulling the next dataset from a shared
/// counter until none is left (issue 12).
///
/// Why: on the cooperative pool, each dataset cost several thread hand-offs: the parent task woke for every finished
/// dataset to start the next one, and every SQLite statement hopped to its connection's dispatch queue and back. On
/// a 2-core machine each hand-off is a futex wake-up, and 2 readers used ~1.25 cores with ~20% more CPU than one.
/// A worker's own thread may block (`mayBlockCurrentThread`), so a SQLite warehouse runs the statement right there on
/// the connection it checked out: a dataset then runs start to end on one thread without a hand-off, and a statement
/// waiting for a lock (busy timeout) or scanning a big table blocks its worker, never the cooperative pool that other
/// warehouses' tasks need.
///
/// Contract: evaluations come back in input order whatever the count; at most `count` datasets are in flight
/// (`--parallel`, `max_connections`); each dataset is evaluated exactly once.
@available(macOS 15.0, *)
enum DatasetWorkers {
    static func evaluateAll(_ evaluators: [DatasetEvaluator], count: Int, on warehouse: any Warehouse, catalog: Catalog,
                            progress: CheckRunner.ProgressCounter) async -> [DatasetEvaluator.Evaluation] {
        guard !evaluators.isEmpty else { return [] }
        let threads = (0..<max(1, min(count, evaluators.count))).map { _ in WorkerThreadExecutor() }
        defer { for thread in threads { thread.finish() } }
        let next = NextIndex(below: evaluators.count)
        return await withTaskGroup(of: [(Int, DatasetEvaluator.Evaluation)].self) { group in
            for thread in threads {
                group.addTask(executorPreference: thread) {
                    var done: [(Int, DatasetEvaluator.Evaluation)] = []
                    while let index = next.take() {
                        done.append((index, await evaluators[index].evaluate(on: warehouse, catalog: catalog)))
                        progress.advance()
                    }
                    return done
                }
            }
            var evaluations = [DatasetEvaluator.Evaluation?](repeating: nil, count: evaluators.count)
            for await batch in group {
                for (index, evaluation) in batch { evaluations[index] = evaluation }
            }
            return evaluations.compactMap { $0 }
        }
    }

    /// Hands out 0, 1, … up to (not including) a bound, once each, to concurrent callers.
    final class NextIndex: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private let bound: Int

        init(below bound: Int) { self.bound = bound }

        func take() -> Int? {
            lock.withLock {
                guard next < bound else { return nil }
                defer { next += 1 }
                return next
            }
        }
    }
}

/// A task executor that runs its jobs, in order, on one thread of its own; the thread ends after `finish()` once its
/// queue is empty. Code running there may block (`mayBlockCurrentThread`): it holds up only this executor's tasks.
///
/// Contract: `finish()` only after every task that prefers this executor has ended (a job enqueued after the thread
/// ended would never run).
@available(macOS 15.0, *)
final class WorkerThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var finishing = false

    init() {
        let thread = Thread { [self] in run() }
        thread.name = "dqmon.dataset-worker"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    func finish() {
        condition.withLock {
            finishing = true
            condition.signal()
        }
    }

    private func run() {
        WorkerThreadMarker.markCurrentThread()
        var batch: [UnownedJob] = []
        while true {
            condition.withLock {
                while jobs.isEmpty && !finishing { condition.wait() }
                swap(&batch, &jobs)
            }
            if batch.isEmpty { return }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}

/// Whether the current thread is a dataset worker's own (`WorkerThreadExecutor`), where a blocking call holds up only
/// that worker; anywhere else (the cooperative pool, a dispatch queue) code must not block.
enum WorkerThreadMarker {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var mayBlockCurrentThread: Bool { pthread_getspecific(key) != nil }

    fileprivate static func markCurrentThread() {
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
    }
}
