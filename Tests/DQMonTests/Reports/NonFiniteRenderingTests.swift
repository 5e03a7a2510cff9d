@testable import DQMon
import Foundation
import PropertyBased
import Testing

/// Reports render whatever history holds (issue 18, section 1): NaN, ±infinity and ±1e308 as observed values,
/// bands and timestamps (stored by an older dqmon, or observed) never trap a chart, and every `--format json`
/// document stays valid JSON, with such numbers as `null`.
@Suite struct NonFiniteRenderingTests {
    static let specials: [Double] = [.nan, .infinity, -.infinity, 1e308, -1e308, .greatestFiniteMagnitude, 0, -0.0, 5e-324, 1e30]
    static let anyDouble = Gen<UInt64>.bitSet.map { Double(bitPattern: $0) }
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    static func result(_ observed: Double?, type: String = "anomaly", expected: String = "", range: (Double, Double)? = nil,
                       at offset: Double = 0, dataTimestamp: Double? = nil, queryMilliseconds: Double? = 1) -> CheckResult {
        CheckResult(checkID: "t/\(type)", dataset: "t", warehouse: "main", checkType: type, status: .fail, observed: observed,
                    observedText: observed.map(Format.count) ?? "", expected: expected, message: "m",
                    queryMilliseconds: queryMilliseconds, dataTimestamp: dataTimestamp,
                    evaluatedAt: now.addingTimeInterval(offset),
                    expectedRange: range.flatMap { ExpectedRange(lower: min($0.0, $0.1), upper: max($0.0, $0.1)) })
    }

    /// Parses `text` as JSON (fails the test when it is not) and returns the object.
    static func parse(_ text: String, _ context: String) -> [String: Any]? {
        let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(object != nil, "not valid JSON (\(context)): \(text.prefix(300))")
        return object
    }

    @Test func sparklineDrawsEverySeries() async {
        await propertyCheck(count: 500, input: Self.anyDouble.array(of: 0...150)) { values in
            let line = Sparkline.render(values)
            let bucketSize = max(1, (values.count + 59) / 60)
            #expect(line.count == (values.count + bucketSize - 1) / bucketSize)
            #expect(line.count <= 60)
        }
        #expect(Sparkline.render([1, .infinity, 2]) == "▁██")
        #expect(Sparkline.render([.nan, 1, 2]) == "·▁█")
        #expect(Sparkline.render([-1e308, 1e308]) == "▁█")
        #expect(Sparkline.render([1, 2, 3], width: 0).count == 1)
    }

    @Test func sparklineOfFiniteValuesRises() async {
        await propertyCheck(count: 300, input: Gen<Double>.value(in: -8e307 ... 8e307).array(of: 2...60)) { values in
            let bars = Sparkline.render(values.sorted()).map { Sparkline.bars.firstIndex(of: $0) ?? -1 }
            #expect(bars == bars.sorted() && !bars.contains(-1), "\(values)")
        }
    }

    @Test func historyTableAndBandChartTakeAnyValue() async {
        // A third any bit pattern, the rest ordinary values (so that bands are drawn too).
        let values = Gen<UInt64>.bitSet.map { bits in bits % 3 == 0 ? Double(bitPattern: bits) : Double(Int64(bitPattern: bits) % 2_000) / 2 }
        let rowGenerator = PropertyBased.zip(values, values, values)
        await propertyCheck(count: 300, input: rowGenerator.array(of: 1...30)) { (rows: [(Double, Double, Double)]) in
            let results = rows.enumerated().map { index, row in
                Self.result(row.0, expected: "\(row.1) – \(row.2) (expected 5)", range: (row.1, row.2), at: Double(index) * 3_600,
                            dataTimestamp: row.1)
            }
            let table = HistoryRenderer.table(checkID: "t/anomaly", results: results)
            #expect(table.contains("t/anomaly: \(results.count) result"))
            let json = Self.parse(HistoryRenderer.json(checkID: "t/anomaly", results: results), "history")
            let observed = (json?["results"] as? [[String: Any]])?.map { $0["observed"] }
            for (index, row) in rows.enumerated() {
                // Foundation's JSONSerialization on Linux reads some long doubles a few ulps off: equal to 1e-12.
                let read = observed?[index] as? Double
                #expect(row.0.isFinite ? read.map { abs($0 - row.0) <= abs(row.0) * 1e-12 } == true : read == nil, "\(row.0)")
            }
        }
        for value in Self.specials {
            let chart = HistoryRenderer.bandChart([Self.result(value, range: (1, 9)), Self.result(4, range: (value, 1e308))])
            #expect(chart == nil || !chart!.isEmpty)
        }
    }

    @Test func runReportJSONWritesNonFiniteAsNull() {
        let results = Self.specials.map { Self.result($0, type: "volume", dataTimestamp: $0, queryMilliseconds: $0) }
        let report = RunReport(runID: 1, startedAt: Self.now, finishedAt: Self.now, evaluatedAt: Self.now, configHash: "h",
                               results: results, notDue: [], warehouseErrors: [], exitCode: .failed)
        let object = Self.parse(RunReportRenderer.json(report), "check")
        let rows = object?["results"] as? [[String: Any]] ?? []
        #expect(rows.count == Self.specials.count)
        for (row, value) in zip(rows, Self.specials) {
            for key in ["observed", "query_ms"] {
                if value.isFinite {
                    let tolerance = max(abs(value) * 1e-12, key == "query_ms" ? 0.0005 : 0)  // query_ms is rounded to µs
                    #expect((row[key] as? Double).map { abs($0 - value) <= tolerance } == true, "\(key) \(value)")
                } else {
                    #expect(row[key] == nil || row[key] is NSNull, "\(key) \(value)")
                }
            }
            #expect(row["observed_text"] as? String == Format.count(value))
        }
        #expect(!RunReportRenderer.table(report).isEmpty)
        #expect(RunReportRenderer.junit(report).contains("<testsuite"))
    }

    @Test func tablesCutCellsAtAnyWidth() {
        for width in [Int.min, -1, 0, 1, 2, 48] {
            var table = TextTable(headers: ["A", "B"])
            table.maxCellWidth = width
            table.append(["a long cell", "last"])
            #expect(table.render().hasSuffix("last"), "width \(width)")
        }
    }

    @Test func slaJSONAndTableTakeAnyFigure() async {
        await propertyCheck(count: 300, input: Self.anyDouble.array(of: 8...8)) { v in
            let ratio = RatioFigure(good: v[0], total: v[1], lastHour: (v[2], v[3]), lastSixHours: (v[4], v[5]), target: v[6])
            let durations = DurationStats(values: [v[0], v[7], v[3]], target: v[5])
            let scope = SLAScope(kind: .dataset, name: "t", tier: 1, owner: nil,
                                 freshness: FreshnessFigure(split: TimeSplit(fresh: v[1], stale: v[2], unknown: v[3]), ratio: ratio),
                                 availability: ratio, passRate: ratio, mttd: durations, mtta: durations, mttr: durations,
                                 downtime: v[7], incidentCount: 1, openIncidents: 0)
            let report = SLAReport(window: Interval(seconds: 86_400), windowStart: Self.now.addingTimeInterval(-86_400), now: Self.now,
                                   datasets: [scope], tiers: [scope], overall: scope)
            _ = Self.parse(SLARenderer.json(report), "sla \(v)")
            #expect(SLARenderer.table(report).contains("SLA over"))
        }
    }
}
