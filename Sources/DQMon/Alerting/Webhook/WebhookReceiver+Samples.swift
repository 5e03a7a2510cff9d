import Foundation

/// Failing-row samples in the webhook (and `file`) body, schema v1: an event sent to a receiver with
/// `include_samples: true` has `"samples": {"columns", "rows", "row_count", "omitted_rows", "note"?}` (values as
/// strings, NULL as null, each cut to 200 Unicode scalars); without it the key is absent. All samples of one body stay
/// within `maximumSampleBytes`, most severe event first.
extension WebhookReceiver {
    /// The events' JSON, each with its samples while the body's sample budget lasts.
    static func withSamples(_ events: [AlertEvent]) -> [JSONValue] {
        var room = maximumSampleBytes
        let overhead = ",\"samples\":".utf8.count
        return events.map { event in
            let plain = event.webhookJSON
            guard let samples = event.samples, case .object(let pairs) = plain,
                  let shown = samples.json(budget: room, overhead: overhead) else { return plain }
            room -= shown.serialized().utf8.count + overhead
            return .object(pairs + [("samples", shown)])
        }
    }
}
