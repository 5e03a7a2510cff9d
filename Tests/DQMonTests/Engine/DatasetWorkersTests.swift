@testable import DQMon
import Foundation
import Testing

/// The pieces `dqmon check` evaluates datasets with (`DatasetWorkers`): every dataset index is handed out exactly
/// once however many workers take at once, and a worker thread runs its tasks' jobs and ends when told.
/// (Linux only: on macOS task executors need macOS 15, and swift-testing cannot gate a `@Test` on availability.)
#if os(Linux)
struct DatasetWorkersTests {
    @Test func everyIndexIsTakenExactlyOnceByConcurrentWorkers() async {
        for (bound, workers) in [(0, 3), (1, 4), (7, 2), (1_000, 8), (5, 16)] {
            let next = DatasetWorkers.NextIndex(below: bound)
            let threads = (0..<workers).map { _ in WorkerThreadExecutor() }
            let taken = await withTaskGroup(of: [Int].self) { group in
                for thread in threads {
                    group.addTask(executorPreference: thread) {
                        var mine: [Int] = []
                        while let index = next.take() {
                            mine.append(index)
                            if index % 3 == 0 { await Task.yield() }
                        }
                        return mine
                    }
                }
                var all: [Int] = []
                for await mine in group { all += mine }
                return all
            }
            for thread in threads { thread.finish() }
            #expect(taken.sorted() == Array(0..<bound), "\(bound) indices, \(workers) workers")
            #expect(next.take() == nil)
        }
    }

    static func currentThreadName() -> String { "\(pthread_self())" }

    @Test func aWorkersTasksRunOnItsOwnThreadOneAfterAnother() async {
        let worker = WorkerThreadExecutor()
        let threads = await withTaskGroup(of: String.self) { group in
            for _ in 0..<20 {
                group.addTask(executorPreference: worker) {
                    await Task.yield()
                    return "\(WorkerThreadMarker.mayBlockCurrentThread) \(Self.currentThreadName())"
                }
            }
            var names: [String] = []
            for await name in group { names.append(name) }
            return names
        }
        worker.finish()
        #expect(Set(threads).count == 1 && threads.allSatisfy { $0.hasPrefix("true ") }, "\(Set(threads))")
    }
}
#endif
