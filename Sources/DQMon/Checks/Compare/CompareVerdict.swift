import Foundation

/// The verdict on two compared values, with a message giving both and their difference:
/// `row_count: 10,412 in orders vs 10,380 in orders_copy (warehouse 'replica'); differs by 32 (0.31%) (fail > 0.1%)`.
struct Verdict {
    let kind: CompareCheck.Kind
    let tolerance: CompareTolerance
    let own: MeasuredValue
    let other: MeasuredValue

    var outcome: CheckOutcome {
        if kind.isTimestamp, own.value == nil || other.value == nil { return emptySide }
        // A sum (or count) of no rows is 0.
        let mine = own.value ?? 0, theirs = other.value ?? 0
        let difference = abs(mine - theirs)
        guard difference.isFinite else {
            return .error("\(kind.label): the difference between \(text(mine)) and \(text(theirs)) is not a finite number")
        }
        let status = tolerance.status(difference: difference, reference: theirs)
        var message = "\(kind.label): \(text(mine)) in \(own.place) vs \(text(theirs)) in \(other.place); "
        let differs = difference == 0 ? "equal" : "differs by \(amount(difference))\(share(difference, of: theirs))"
        message += differs
        if let crossed = tolerance.crossed(by: status) { message += " (\(crossed))" }
        return CheckOutcome(status: status, observed: difference, observedText: differs, expected: tolerance.expectedText, message: message)
    }

    /// A latest timestamp is missing on one side or both (no rows).
    var emptySide: CheckOutcome {
        switch (own.value, other.value) {
        case (nil, nil):
            return CheckOutcome(status: .pass, observed: 0, observedText: "both empty", expected: tolerance.expectedText,
                                message: "\(kind.label): neither \(own.place) nor \(other.place) has rows")
        case (nil, let theirs?):
            return CheckOutcome(status: .fail, observedText: "\(own.place) has no rows", expected: tolerance.expectedText,
                                message: "\(kind.label): none in \(own.place) (no rows) vs \(text(theirs)) in \(other.place)")
        case (let mine?, _):
            return CheckOutcome(status: .fail, observedText: "\(other.place) has no rows", expected: tolerance.expectedText,
                                message: "\(kind.label): \(text(mine)) in \(own.place) vs none in \(other.place) (no rows)")
        }
    }

    func text(_ value: Double) -> String {
        kind.isTimestamp ? Format.timestamp(Date(timeIntervalSince1970: value)) : Format.count(value)
    }

    func amount(_ difference: Double) -> String {
        kind.isTimestamp ? Format.age(difference) : Format.count(difference)
    }

    /// ` (0.31%)`, a percent of the `with:` side's value, for counts and sums with a non-zero reference; nothing
    /// otherwise.
    func share(_ difference: Double, of reference: Double) -> String {
        guard !kind.isTimestamp, reference != 0 else { return "" }
        return " (\(RowLimit.percentText(difference / abs(reference))))"
    }
}
