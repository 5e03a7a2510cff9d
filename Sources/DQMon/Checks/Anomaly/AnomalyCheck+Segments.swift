import Foundation

extension AnomalyCheck {
    /// The grouped measurement of a `group_by` check (nil without `group_by`).
    var segmentedMetric: Metric? {
        segments.map { .aggregate(SegmentedMetric(target: target, segments: $0)) }
    }

    /// At most this many anomalous segments are described in full in the one-line message; the rest are named.
    static let describedSegments = 3
    /// At most this many anomalous segments are named in the message.
    static let namedSegments = 10

    /// One result for the whole check (so a bad day opens one incident, not fifty), naming the anomalous segments.
    ///
    /// Each segment the grouped statement returned is judged by the same detector against its own series
    /// (`row_count_1d [country=DE]`); a segment with too little history is learning. The segments past
    /// `max_segments` are folded into `other`, judged as one more segment against the `other` series of the same
    /// composition (`SegmentKey.otherKey`). A segment that was measured in the previous run and is gone now (no rows
    /// left) is a drop, unless there is an `other` (then it may only have fallen out of the largest). Every measured
    /// segment's point is recorded, flagged when anomalous, so a bad value never trains its segment's baseline.
    func evaluateSegments(_ input: CheckInput, spec: SegmentSpec) -> CheckOutcome {
        let name = target.historyName
        guard let metric = segmentedMetric, let grouped = input.metrics.groupedRows[metric] else {
            return .error("\(name) by \(spec.columns.joined(separator: ", ")): the grouped query returned no result")
        }
        let readings = SegmentReadings(rows: grouped.rows, spec: spec, target: target, now: input.now, timeZone: grouped.timeZone)
        let training = input.context[MetricHistory.self]
        var judgement = SegmentJudgement()
        var outcome = CheckOutcome(status: .pass, message: "")
        let otherKey = SegmentKey.otherKey(metric: name, judged: readings.readings.map(\.segment))
        var otherLearning = false
        for reading in readings.readings + (readings.other.map { [$0] } ?? []) {
            let key = reading.segment.isOther ? otherKey : SegmentKey.key(metric: name, segment: reading.segment)
            guard let value = reading.value else {
                judgement.unmeasured.append((reading.segment, reading.problem ?? "no value (NULL)"))
                continue
            }
            let verdict = AnomalyDetector.evaluate(history: training?.series[key] ?? [], point: MetricPoint(time: input.now.timeIntervalSince1970, value: value),
                                                   settings: settings, excluded: training?.excluded ?? [])
            outcome.metricPoints[key] = MetricReading(value, flagged: verdict.isAnomaly)
            otherLearning = otherLearning || (reading.segment.isOther && verdict.isSkipped)
            judgement.add(reading.segment, value: value, verdict: verdict)
        }
        if readings.other == nil {
            for (segment, last) in vanishedSegments(training?.series ?? [:], measured: readings.readings, spec: spec) {
                if isCount { outcome.metricPoints[SegmentKey.key(metric: name, segment: segment)] = MetricReading(0, flagged: true) }
                judgement.vanished.append((segment, last))
            }
        }
        return conclude(judgement, into: outcome, readings: readings, spec: spec, otherRestarted: otherLearning && otherRecomposed(training?.series ?? [:], key: otherKey))
    }

    /// Whether `other` has points in history under another composition than this one's `key`: the segments judged
    /// one by one changed, so `other` learns again (on this composition's points) instead of jumping.
    func otherRecomposed(_ series: [String: [MetricPoint]], key: String) -> Bool {
        series.contains { $0.key != key && SegmentKey.isOther($0.key, metric: target.historyName) && !$0.value.isEmpty }
    }

    /// Counts fall to 0 when a segment's rows are gone; other metrics have no value then.
    var isCount: Bool {
        switch target.metric {
        case .rowCount, .windowedCount: return true
        default: return false
        }
    }

    /// Segments of this check recorded in the latest run before this one (with a non-zero count, for counts) and
    /// absent now, with their last recorded value.
    func vanishedSegments(_ series: [String: [MetricPoint]], measured: [SegmentReadings.Reading],
                          spec: SegmentSpec) -> [(Segment, Double)] {
        let name = target.historyName
        let mine = series.compactMap { key, points -> (Segment, MetricPoint)? in
            guard let segment = SegmentKey.segment(in: key, metric: name), segment.columns == spec.columns,
                  let last = points.last else { return nil }
            return (segment, last)
        }
        guard let previousRun = mine.map(\.1.time).max() else { return [] }
        let present = Set(measured.map(\.segment))
        return mine.filter { segment, last in
            !present.contains(segment) && last.time == previousRun && (!isCount || last.value > 0)
        }
        .map { ($0.0, $0.1.value) }
        .sorted { $0.1 > $1.1 }
    }

    func conclude(_ judgement: SegmentJudgement, into outcome: CheckOutcome, readings: SegmentReadings,
                  spec: SegmentSpec, otherRestarted: Bool = false) -> CheckOutcome {
        var outcome = outcome
        let name = target.historyName
        let anomalous = judgement.anomalous.count + judgement.vanished.count
        let measured = readings.readings.count + (readings.other == nil ? 0 : 1)
        outcome.observed = Double(anomalous)
        outcome.observedText = "\(anomalous) of \(measured + judgement.vanished.count) segment\(measured + judgement.vanished.count == 1 ? "" : "s") anomalous"
        outcome.expected = "each segment within its own range"
        var notes: [String] = []
        if !judgement.learning.isEmpty {
            let needs = judgement.learning.map(\.pointsNeeded).min() ?? 0
            notes.append("\(judgement.learning.count) learning (new segment\(judgement.learning.count == 1 ? "" : "s"), \(needs)+ more point\(needs == 1 ? "" : "s") needed)")
        }
        if !judgement.unmeasured.isEmpty {
            notes.append("\(judgement.unmeasured.count) not measured (\(judgement.unmeasured.prefix(3).map { "\($0.0.display): \($0.1)" }.joined(separator: "; ")))")
        }
        if let other = readings.other {
            notes.append("the \(readings.readings.count) largest of \(readings.totalSegments) segments judged one by one (max_segments: \(spec.maxSegments)), "
                         + "the other \(other.folded) as [other]"
                         + (otherRestarted ? " (learning again: the largest segments changed, so [other] holds other segments than before)" : ""))
        }
        let tail = notes.isEmpty ? "" : "; " + notes.joined(separator: "; ")
        if anomalous > 0 {
            outcome.status = .fail
            var parts = judgement.vanished.map { segment, last in
                "\(name) \(segment.display): vanished (no rows now; \(Self.format(last)) in the previous run)"
            }
            parts += judgement.anomalous.sorted { abs($0.verdict.score) > abs($1.verdict.score) }.map { entry in
                describe(entry.verdict, name: "\(name) \(entry.segment.display)", value: entry.value)
            }
            let described = parts.prefix(Self.describedSegments)
            let named = (judgement.vanished.map(\.0) + judgement.anomalous.sorted { abs($0.verdict.score) > abs($1.verdict.score) }.map(\.segment))
                .dropFirst(Self.describedSegments)
            var message = "\(anomalous) of \(measured + judgement.vanished.count) segments anomalous: " + described.joined(separator: " | ")
            if !named.isEmpty {
                message += " | also " + named.prefix(Self.namedSegments).map(\.display).joined(separator: ", ")
                    + (named.count > Self.namedSegments ? " and \(named.count - Self.namedSegments) more" : "")
            }
            outcome.message = message + "; \(judgement.normal.count) within range" + tail
            return outcome
        }
        if judgement.normal.isEmpty {
            outcome.status = measured == 0 && judgement.learning.isEmpty ? .pass : .skipped
            outcome.expected = "needs \(settings.minHistory) points of history per segment"
            outcome.message = measured == 0
                ? "\(name) by \(spec.columns.joined(separator: ", ")): no segments (the table has no rows)\(tail)"
                : "\(name) by \(spec.columns.joined(separator: ", ")): no segment has enough history yet\(tail) (dqmon backfill can seed the total, not segments)"
            return outcome
        }
        let largest = judgement.normal.first.map { " (largest: \(name) \($0.segment.display) \(Self.format($0.value)), range \(Self.describeRange($0.verdict)))" } ?? ""
        outcome.message = "\(name) by \(spec.columns.joined(separator: ", ")): all \(judgement.normal.count) judged segment\(judgement.normal.count == 1 ? "" : "s") within range\(largest)\(tail)"
        return outcome
    }
}

/// The verdicts of one run's segments, sorted into what the message says of them.
struct SegmentJudgement {
    struct Judged {
        var segment: Segment
        var value: Double
        var verdict: AnomalyVerdict
    }

    var anomalous: [Judged] = []
    var normal: [Judged] = []
    var learning: [AnomalyVerdict] = []
    var unmeasured: [(Segment, String)] = []
    var vanished: [(Segment, Double)] = []

    mutating func add(_ segment: Segment, value: Double, verdict: AnomalyVerdict) {
        if verdict.isSkipped {
            learning.append(verdict)
        } else if verdict.isAnomaly {
            anomalous.append(Judged(segment: segment, value: value, verdict: verdict))
        } else {
            normal.append(Judged(segment: segment, value: value, verdict: verdict))
        }
    }
}
