@testable import DQMon
import DQMonTestSupport
import Foundation
import PropertyBased
import Testing

/// `dqmon backtest --csv` on hostile files (issue 18, sections 6 and 8): a seeded mutation loop over a small corpus
/// kept here, and the CLI on the cases the issue names. The invariant: the reader returns a sorted series of finite
/// times and values, or one line naming the line; nothing downstream traps.
@Suite struct AnomalyCSVFuzzTests {
    /// The seed corpus: the spellings the reader accepts (NAB's, epoch seconds, ISO with offsets and fractions), a
    /// byte order mark, CRLF, quotes, blank lines, gaps, and files that are unsorted, repeat timestamps or use
    /// other columns.
    static let corpus: [String] = [
        "timestamp,value\n2014-04-01 00:00:00,20.5\n2014-04-01 00:05:00,21\n2014-04-01 00:10:00,19.75\n2014-04-01 00:15:00,80\n",
        "timestamp,value\n0,1\n3600,2\n7200,3\n10800,2\n14400,1\n18000,2\n21600,3\n25200,100\n28800,2\n",
        "\u{FEFF}timestamp,value\r\n2026-11-25T18:00:00Z,1\r\n2026-11-25T19:00:00+01:00,2\r\n\r\n2026-11-25T20:00:00.5Z,3\r\n",
        "\"timestamp\",\"value\"\n\"2026-01-01\",\"5\"\n\"2026-01-02\",\"\"\n\"2026-01-03\",\"7\"\n",
        "timestamp,value\n2026-01-03,3\n2026-01-01,1\n2026-01-02,2\n2026-01-02,2.5\n2026-01-04,4\n",
        "day,orders,other\n2026-01-01,100,x\n2026-01-02,110,y\n2026-01-03, 95 ,z\n",
        "timestamp,value\n-62135596800,1e100\n253402300799,-1e100\n0,-0\n",
    ]

    /// Cells a hostile or unlucky file holds.
    static let tokens = [
        "inf", "-inf", "nan", "NaN", "infinity", "1e300", "-1e308", "1e-320", "1e101", "0x1p3", "", " ", "\"", "-0", "+5",
        "99999999999999999999", "9999-12-31 23:59:59", "0001-01-01", "0000-12-31", "10000-01-01", "2026-02-30",
        "2026-11-25T18:00:00-99:00", "2026-11-25T24:00:00", "2026-11-25T18:00:00+18:00", "1.5.5", "--1", "1e", "e5",
        "١٢٣", "\u{0}", "🙂", "2014-04-01 00:00:00", "253402300800", "-62135596801",
    ]

    /// One mutation of `text`, chosen by `random`.
    static func mutate(_ text: String, using random: inout SeededRandom) -> String {
        var lines = text.components(separatedBy: "\n")
        let first = Int.random(in: 0..<lines.count, using: &random)
        let second = Int.random(in: 0..<lines.count, using: &random)
        let token = tokens.randomElement(using: &random)!
        switch Int.random(in: 0..<9, using: &random) {
        case 0:  // a cell replaced by a hostile token
            var cells = lines[first].components(separatedBy: ",")
            cells[Int.random(in: 0..<cells.count, using: &random)] = token
            lines[first] = cells.joined(separator: ",")
        case 1: lines.swapAt(first, second)  // out of order
        case 2: lines.insert(lines[first], at: second)  // a repeated row
        case 3: lines.remove(at: first)
        case 4: lines.insert(String(repeating: "9", count: Int.random(in: 1_000...100_000, using: &random)), at: first)  // a huge line
        case 5: lines.insert(String(repeating: ",", count: Int.random(in: 0...5, using: &random)), at: first)
        case 6: lines[first] += token
        case 7: lines.shuffle(using: &random)
        default:  // random bytes, valid UTF-8 or not
            var bytes = Array(text.utf8)
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                bytes.insert(UInt8.random(in: 0...255, using: &random), at: Int.random(in: 0...bytes.count, using: &random))
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        return lines.joined(separator: "\n")
    }

    /// The reader's contract on any input; on success the series goes through every method and the writers.
    static func check(_ bytes: [UInt8], context: @autoclosure () -> String) {
        let lineCount = bytes.split(separator: 10, omittingEmptySubsequences: false).count
        let header = String(decoding: bytes.prefix { $0 != 10 }, as: UTF8.self)
        let columns = header.contains("day,") ? ("day", "orders") : ("timestamp", "value")
        do {
            let series = try AnomalyCSV.read(bytes: bytes, timestampColumn: columns.0, valueColumn: columns.1)
            #expect(series.labels.count == series.samples.count, "\(context())")
            #expect(zip(series.samples, series.samples.dropFirst()).allSatisfy { $0.time <= $1.time }, "\(context())")
            #expect(series.samples.allSatisfy { ISO8601.supportedRange.contains($0.time) && abs($0.value) <= AnomalyCSV.maximumMagnitude },
                    "\(context())")
            #expect(series.warnings.allSatisfy { !$0.contains("\n") })
            let steps = AnomalyReplay.run(series.samples, settings: AnomalySettings(minHistory: 3))
            _ = AnomalyCSV.write(series, steps: steps)
            for seasonal in [false, true] {
                _ = AnomalyCSV.writeBaseline(series, flags: RollingBaseline.run(series.samples, minHistory: 3, seasonal: seasonal))
            }
        } catch {
            let message = error.description
            #expect(!message.contains("\n") && !message.contains("\r"), "\(context()): \(message)")
            switch error {
            case .badTimestamp(let line, _, _), .badValue(let line, _, _), .shortRow(let line, _, _):
                #expect(message.hasPrefix("line \(line): ") && (2...lineCount).contains(line), "\(context()): \(message)")
            case .missingColumn, .empty: break
            }
        }
    }

    /// Section 8: a seeded mutation loop, bounded (600 files of a few rows; seconds in a debug build).
    @Test func mutatedCorpusNeverTraps() {
        let seed: UInt64 = 1_806
        var random = SeededRandom(seed: seed)
        for round in 0..<600 {
            var text = Self.corpus[round % Self.corpus.count]
            for _ in 0..<Int.random(in: 1...4, using: &random) { text = Self.mutate(text, using: &random) }
            Self.check(Array(text.utf8), context: "seed \(seed), round \(round)")
        }
    }

    @Test func randomBytesNeverTrap() async {
        await propertyCheck(count: 300, input: Gen<UInt8>.value(in: 0...255).array(of: 0...400)) { bytes in
            Self.check(Array("timestamp,value\n".utf8) + bytes, context: "bytes \(bytes)")
        }
    }

    @Test func rowsAreRejectedNamingTheLine() {
        func error(_ text: String) -> String? {
            do {
                _ = try AnomalyCSV.read(text, timestampColumn: "timestamp", valueColumn: "value")
                return nil
            } catch {
                return error.description
            }
        }
        let good = "timestamp,value\n0,1\n3600,2\n"
        for bad in ["inf", "nan", "1e300", "-inf", "0x10", "253402300800"] {
            #expect(error(good + "\(bad),3\n")?.hasPrefix("line 4: timestamp '\(bad)' ") == true, "\(bad)")
        }
        for bad in ["inf", "nan", "1e101", "0x10", "abc"] {
            #expect(error(good + "7200,\(bad)\n")?.hasPrefix("line 4: value '\(bad)' ") == true, "\(bad)")
        }
        #expect(error(good + "\n\n7200\n")?.hasPrefix("line 6: 1 cell, but the timestamp and value columns need 2") == true)
        #expect(error("timestamp,value\r\n0,1\r\n2026-11-25T18:00:00-99:00,2\r\n") == "line 3: timestamp '2026-11-25T18:00:00-99:00' is not a time: the UTC offset -99:00 is outside -18:00...+18:00; fix or delete the row")
    }

    @Test func unsortedRowsAreSortedWithOneWarning() throws {
        let series = try AnomalyCSV.read("timestamp,value\n7200,3\n0,1\n3600,2\n3600,2.5\n", timestampColumn: "timestamp", valueColumn: "value")
        #expect(series.samples.map(\.time) == [0, 3600, 3600, 7200])
        #expect(series.samples.map(\.value) == [1, 2, 2.5, 3])  // rows of one time keep the file's order
        #expect(series.labels == ["0", "3600", "3600", "7200"])
        #expect(series.warnings == [
            "rows are not in time order (line 3 is earlier than line 2); replayed and written in time order",
            "1 row repeats an earlier row's timestamp (first: line 5); each is judged, and in training the later value replaces the earlier",
        ])
    }

    /// The replay's shortcut (the training window summarized once per refit period) gives the verdicts of the full
    /// summary per point, and both equal what `dqmon check` would have said at each point given all points before it.
    @Test func replayShortcutMatchesCheckVerdicts() {
        var random = SeededRandom(seed: 42)
        let samples = (0..<500).map { index -> (time: Double, value: Double) in
            let daily = 100 * sin(Double(index % 24) / 24 * 2 * .pi)
            let spike = index % 97 == 0 ? 800.0 : 0
            let shift = index > 300 ? 250.0 : 0
            return (Double(index) * 3_600 + Double.random(in: -60...60, using: &random), 1_000 + daily + spike + shift + Double.random(in: -20...20, using: &random))
        }
        let settings = AnomalySettings(training: 7 * 86_400, minHistory: 14)
        let fast = AnomalyReplay.run(samples, settings: settings)
        let slow = AnomalyReplay.run(samples, settings: settings, summarizeOncePerPeriod: false)
        #expect(fast.map(\.verdict) == slow.map(\.verdict))
        #expect(fast.filter(\.verdict.isAnomaly).count > 3)
        var history: [MetricPoint] = []
        var settingsWithInterval = settings
        settingsWithInterval.interval = fast.first?.verdict.interval
        for (index, step) in fast.enumerated() {
            if index % 7 == 0 {  // every 7th point: O(n²) otherwise
                let alone = AnomalyDetector.evaluate(history: history, point: MetricPoint(time: step.sample.time, value: step.sample.value),
                                                     settings: settingsWithInterval)
                #expect(alone == step.verdict, "point \(index)")
            }
            history.append(step.sample)
        }
    }
}

/// `dqmon backtest --csv` through the binary: bad rows exit 3 with one line; unsorted input gives the sorted verdicts.
@Suite struct BacktestCSVCommandTests {
    func file(_ name: String, _ text: String, in directory: TemporaryDirectory) -> String {
        directory.write(name, text)
        return directory.path(name).path
    }

    static let series = "timestamp,value\n" + (0..<200).map { "\($0 * 3_600),\(100 + ($0 % 24) * 3 + ($0 == 150 ? 400 : 0))" }.joined(separator: "\n") + "\n"

    @Test func badTimestampsAndValuesExitThreeNamingTheLine() throws {
        let directory = TemporaryDirectory(prefix: "dqmon-backtest")
        var lines = Self.series.components(separatedBy: "\n")
        for (bad, column) in [("inf", 0), ("nan", 0), ("1e300", 0), ("-inf", 1), ("nan", 1), ("1e308", 1)] {
            var cells = lines[4].components(separatedBy: ",")
            cells[column] = bad
            lines[4] = cells.joined(separator: ",")
            let path = file("bad.csv", lines.joined(separator: "\n"), in: directory)
            lines = Self.series.components(separatedBy: "\n")
            for method in ["dqmon", "rolling-mean", "rolling-mean-seasonal"] {
                let output = try CommandLineRunner.run(["backtest", "--csv", path, "--method", method], in: directory.url)
                #expect(output.status == 3, "\(bad) \(method)")
                #expect(output.stdout.isEmpty)
                #expect(output.stderr.split(separator: "\n").count == 1, "\(output.stderr)")
                #expect(output.stderr.contains("bad.csv: line 5: \(column == 0 ? "timestamp" : "value") '\(bad)'"), "\(output.stderr)")
            }
        }
    }

    @Test func unsortedFileGivesTheSortedVerdictsWithAWarning() throws {
        let directory = TemporaryDirectory(prefix: "dqmon-backtest")
        let rows = Self.series.split(separator: "\n").dropFirst()
        var random = SeededRandom(seed: 400)
        let shuffled = "timestamp,value\n" + rows.shuffled(using: &random).joined(separator: "\n") + "\n"
        for method in ["dqmon", "rolling-mean-seasonal"] {
            let sorted = try CommandLineRunner.run(["backtest", "--csv", file("sorted.csv", Self.series, in: directory), "--method", method], in: directory.url)
            let unsorted = try CommandLineRunner.run(["backtest", "--csv", file("unsorted.csv", shuffled, in: directory), "--method", method], in: directory.url)
            #expect(sorted.status == 0 && unsorted.status == 0)
            #expect(unsorted.stdout == sorted.stdout)
            #expect(sorted.stderr.isEmpty)
            #expect(unsorted.stderr.hasPrefix("dqmon: warning: ") && unsorted.stderr.contains("not in time order"))
            #expect(unsorted.stderr.split(separator: "\n").count == 1)
        }
    }
}
