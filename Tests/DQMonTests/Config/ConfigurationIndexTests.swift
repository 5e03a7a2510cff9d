@testable import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `ConfigurationIndex` (what a run's alerts look checks and datasets up in) finds what `Configuration.check(id:)` and
/// `dataset(named:)` find by scanning, on a config of many datasets in two files, each with a seeded random set of
/// named and unnamed checks.
@Suite struct ConfigurationIndexTests {
    @Test func theIndexFindsWhatTheScansFind() throws {
        var random = SeededRandom(seed: 20_261_130)
        let project = ProjectFixture()
        for file in 0..<2 {
            var lines = ["version: 1", "datasets:"]
            for dataset in 0..<40 {
                lines += ["  - name: f\(file)_d\(dataset)", "    checks:"]
                let kinds = ["freshness: { column: updated_at, error_after: 1d }", "volume: { min_rows: 1 }",
                             "volume: { name: hourly, window: 1h, column: created_at, min_rows: 1 }",
                             "freshness: { name: created, column: created_at, warn_after: 2h }"]
                for kind in kinds where Bool.random(using: &random) || kind == kinds[0] { lines.append("      - " + kind) }
            }
            project.checks("file\(file).yml", lines.joined(separator: "\n") + "\n")
        }
        let configuration = try ConfigLoader.load(configPath: project.configURL, environment: [:])
        let index = ConfigurationIndex(configuration)
        #expect(configuration.datasets.count == 80 && configuration.checks.count > 80, "\(configuration.checks.count) checks")
        for dataset in configuration.datasets {
            #expect(index.dataset(named: dataset.name)?.name == configuration.dataset(named: dataset.name)?.name)
        }
        for check in configuration.checks {
            let found = index.check(id: check.id), scanned = configuration.check(id: check.id)
            #expect(found?.check.id == check.id && found?.dataset.name == scanned?.dataset.name, "\(check.id)")
        }
        #expect(index.dataset(named: "no_such_dataset") == nil && index.check(id: "no_such_dataset/freshness") == nil)
    }
}
