/// The settings of an anomaly detector: what a user writes under `anomaly:` besides the metric.
public struct AnomalySettings: Sendable, Hashable {
    /// Which deviations may be flagged.
    public enum Direction: String, Sendable, Hashable, CaseIterable {
        case both, spike, drop
    }

    /// `auto` picks a pattern from history; `none` never uses one; otherwise that pattern, once two cycles exist.
    public enum SeasonalityChoice: Sendable, Hashable {
        case auto, none
        case fixed(Seasonality)

        public init?(name: String) {
            switch name {
            case "auto": self = .auto
            case "none": self = .none
            default:
                guard let seasonality = Seasonality(rawValue: name) else { return nil }
                self = .fixed(seasonality)
            }
        }

        public static var names: [String] { ["auto", "none"] + Seasonality.allCases.map(\.rawValue) }
    }

    /// How many robust standard deviations from the expected value a point must be to be flagged.
    public var sensitivity: Double
    /// How far back training reaches, in seconds.
    public var training: Double
    /// Training points needed before anything is judged.
    public var minHistory: Int
    public var seasonality: SeasonalityChoice
    public var direction: Direction
    /// Deviations smaller than this (in the metric's unit) are never flagged.
    public var minAbsoluteChange: Double
    /// Deviations smaller than this fraction of the expected value are never flagged.
    public var minRelativeChange: Double
    /// The metric's natural interval in seconds; nil infers it from the history (median spacing).
    public var interval: Double?

    public init(sensitivity: Double = 3, training: Double = 28 * 86_400, minHistory: Int = 14,
                seasonality: SeasonalityChoice = .auto, direction: Direction = .both,
                minAbsoluteChange: Double = 0, minRelativeChange: Double = 0, interval: Double? = nil) {
        self.sensitivity = sensitivity
        self.training = training
        self.minHistory = minHistory
        self.seasonality = seasonality
        self.direction = direction
        self.minAbsoluteChange = minAbsoluteChange
        self.minRelativeChange = minRelativeChange
        self.interval = interval
    }
}

/// A closed time range whose points are left out of training (an open incident, a maintenance window).
public struct ExcludedInterval: Sendable, Hashable {
    public var start: Double
    public var end: Double
    public var reason: String

    public init(start: Double, end: Double, reason: String) {
        self.start = start
        self.end = end
        self.reason = reason
    }

    func contains(_ time: Double) -> Bool { time >= start && time <= end }
}

/// What the detector concluded about one point, with everything a result must state.
public struct AnomalyVerdict: Sendable, Hashable {
    public var isAnomaly: Bool
    /// More training points needed before the point can be judged; 0 when it was judged.
    public var pointsNeeded: Int
    /// Signed robust z-score: (value − expected) / robust spread on that side. Positive is a spike.
    public var score: Double
    public var expected: Double
    /// The band outside which a point is flagged (min_change floors included).
    public var lower: Double
    public var upper: Double
    public var trainingStart: Double?
    public var trainingEnd: Double?
    public var trainingSize: Int
    public var seasonality: Seasonality?
    /// The seasonal bucket of the point, e.g. `Tuesday`, when a pattern is used.
    public var bucket: String?
    /// `.spike` or `.drop`: the side the point deviates to (also when not flagged).
    public var direction: AnomalySettings.Direction
    /// The spacing of the metric used to bucket irregular timestamps, in seconds.
    public var interval: Double
    /// True when recent points sit at a new level and the baseline moved there (a level shift was accepted).
    public var levelShifted: Bool
    /// When the point was flagged as a stuck metric: how many consecutive points repeat its value (else 0).
    public var stuckRun: Int = 0
    /// When the point was flagged as the onset of a sustained shift: the median of the last `min_history` points
    /// (this one included) minus the level, in robust spreads of such medians (else 0).
    public var sustainedShift: Double = 0
    /// When the point was flagged as the continuation of a deviation (`AnomalyDetector.continuationPoints`): how
    /// many consecutive points right before it were flagged (else 0).
    public var continuation: Int = 0
    /// When the point was flagged as a sudden jump (`AnomalyDetector.judgeJump`): its distance from the median of the
    /// `min_history` points before it, in step-to-step spreads (else 0).
    public var jump: Double = 0

    public var isSkipped: Bool { pointsNeeded > 0 }
}
