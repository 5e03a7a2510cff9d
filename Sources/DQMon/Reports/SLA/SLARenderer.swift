import Foundation

/// Renders `dqmon sla` as text (one block per scope) or JSON (version 1, documented in the README).
public enum SLARenderer {
    public static func table(_ report: SLAReport) -> String {
        var blocks = ["SLA over \(report.window): \(Format.timestamp(report.windowStart)) .. \(Format.timestamp(report.now))"]
        for scope in report.datasets + report.tiers + [report.overall] {
            blocks.append(block(scope))
        }
        let missed = (report.datasets + report.tiers).filter { scope in
            [scope.freshness?.ratio.met, scope.availability.met, scope.passRate.met, scope.mttd.met, scope.mttr.met].contains(false)
        }.map(\.name) + (report.documentation?.tiers.filter { $0.met == false }.map { "documentation of \($0.name)" } ?? [])
        if let documentation = report.documentation { blocks.append(DocumentationRenderer.block(documentation)) }
        blocks.append(missed.isEmpty ? "every target met" : "targets missed by: \(missed.joined(separator: ", "))")
        return blocks.joined(separator: "\n\n")
    }

    static func block(_ scope: SLAScope) -> String {
        var title = scope.name
        switch scope.kind {
        case .dataset: title += " (tier \(scope.tier ?? 3)\(scope.owner.map { ", \($0)" } ?? ""))"
        case .tier, .overall: title = title.uppercased()
        }
        var table = TextTable(headers: ["FIGURE", "VALUE", "TARGET", "STATUS", "BUDGET LEFT", "BURN 1H", "BURN 6H", "DETAIL"])
        if let freshness = scope.freshness {
            let split = freshness.split
            table.append(ratioRow("freshness", freshness.ratio,
                                  detail: "fresh \(Format.age(split.fresh)), stale \(Format.age(split.stale)), unknown \(Format.age(split.unknown)) (\(percent(split.total > 0 ? split.unknown / split.total : nil)))"))
        } else {
            table.append(["freshness", "-", "-", "-", "-", "-", "-", "no freshness results"])
        }
        table.append(ratioRow("availability", scope.availability, detail: "\(count(scope.availability.good))/\(count(scope.availability.total)) runs without errors"))
        table.append(ratioRow("pass rate", scope.passRate, detail: "\(count(scope.passRate.good))/\(count(scope.passRate.total)) evaluated results passed"))
        table.append(durationRow("MTTD", scope.mttd))
        table.append(durationRow("MTTA", scope.mtta))
        table.append(durationRow("MTTR", scope.mttr))
        table.append(["downtime", Format.age(scope.downtime), "-", "-", "-", "-", "-",
                      "Σ(TTD + TTR) over \(scope.incidentCount) incident(s), \(scope.openIncidents) still open"])
        return title + "\n" + table.render()
    }

    static func ratioRow(_ name: String, _ figure: RatioFigure, detail: String) -> [String] {
        [name, percent(figure.value), figure.target.map { Format.percent($0) } ?? "-", metText(figure.met),
         percent(figure.budgetLeft), ratio(figure.burnLastHour), ratio(figure.burnLastSixHours), detail]
    }

    static func durationRow(_ name: String, _ stats: DurationStats) -> [String] {
        let detail = stats.count == 0 ? "n=0" : "n=\(stats.count), p50 \(Format.age(stats.p50!)), p90 \(Format.age(stats.p90!))"
        return [name, stats.mean.map(Format.age) ?? "-", stats.target.map(Format.age) ?? "-", metText(stats.met), "-", "-", "-", detail]
    }

    static func metText(_ met: Bool?) -> String { met.map { $0 ? "met" : "MISSED" } ?? "-" }

    /// Two decimals, so 99.95% shows as such; "-" when unknown.
    static func percent(_ fraction: Double?) -> String {
        guard let fraction else { return "-" }
        let value = (fraction * 10_000).rounded() / 100
        guard value.isFinite, abs(value) < Format.scientificFrom else { return Format.percent(fraction) }
        return value == value.rounded() ? "\(Int64(value))%" : Format.fixed(value, places: 2) + "%"
    }

    static func ratio(_ value: Double?) -> String { value.map { Format.fixed($0, places: 2) } ?? "-" }

    static func count(_ value: Double) -> String { Format.count(value) }

    public static func json(_ report: SLAReport) -> String {
        RunReportRenderer.encode(SLAJSON(report))
    }
}

/// `dqmon sla --format json`, version 1. Durations in seconds, fractions in 0...1; add fields, never rename.
/// A figure that is not a finite number (possible only from hand-edited or corrupt history) is written as `null`.
struct SLAJSON: Encodable {
    struct Ratio: Encodable {
        let value: Double?
        let good: Double?
        let total: Double?
        let target: Double?
        let met: Bool?
        let error_budget_left: Double?
        let burn_rate_1h: Double?
        let burn_rate_6h: Double?

        init(_ figure: RatioFigure) {
            value = jsonNumber(figure.value)
            good = jsonNumber(figure.good)
            total = jsonNumber(figure.total)
            target = jsonNumber(figure.target)
            met = figure.met
            error_budget_left = jsonNumber(figure.budgetLeft)
            burn_rate_1h = jsonNumber(figure.burnLastHour)
            burn_rate_6h = jsonNumber(figure.burnLastSixHours)
        }
    }

    struct Freshness: Encodable {
        let fresh_seconds: Double?
        let stale_seconds: Double?
        let unknown_seconds: Double?
        let compliance: Ratio
    }

    struct Durations: Encodable {
        let count: Int
        let mean: Double?
        let p50: Double?
        let p90: Double?
        let target: Double?
        let met: Bool?

        init(_ stats: DurationStats) {
            count = stats.count
            mean = jsonNumber(stats.mean)
            p50 = jsonNumber(stats.p50)
            p90 = jsonNumber(stats.p90)
            target = jsonNumber(stats.target)
            met = stats.met
        }
    }

    struct Scope: Encodable {
        let kind: String
        let name: String
        let tier: Int?
        let owner: String?
        let freshness: Freshness?
        let availability: Ratio
        let pass_rate: Ratio
        let mttd: Durations
        let mtta: Durations
        let mttr: Durations
        let data_downtime_seconds: Double?
        let incidents: Int
        let open_incidents: Int

        init(_ scope: SLAScope) {
            kind = scope.kind.rawValue
            name = scope.name
            tier = scope.tier
            owner = scope.owner
            freshness = scope.freshness.map {
                Freshness(fresh_seconds: jsonNumber($0.split.fresh), stale_seconds: jsonNumber($0.split.stale),
                          unknown_seconds: jsonNumber($0.split.unknown), compliance: Ratio($0.ratio))
            }
            availability = Ratio(scope.availability)
            pass_rate = Ratio(scope.passRate)
            mttd = Durations(scope.mttd)
            mtta = Durations(scope.mtta)
            mttr = Durations(scope.mttr)
            data_downtime_seconds = jsonNumber(scope.downtime)
            incidents = scope.incidentCount
            open_incidents = scope.openIncidents
        }
    }

    let version = "1"
    let window: String
    let window_start: String
    let now: String
    let datasets: [Scope]
    let tiers: [Scope]
    let overall: Scope
    let documentation: DocumentationJSON?

    init(_ report: SLAReport) {
        window = report.window.description
        window_start = Format.timestamp(report.windowStart)
        now = Format.timestamp(report.now)
        datasets = report.datasets.map(Scope.init)
        tiers = report.tiers.map(Scope.init)
        overall = Scope(report.overall)
        documentation = report.documentation.map(DocumentationJSON.init)
    }
}
