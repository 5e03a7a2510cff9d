import Foundation

/// Judges declared lineage across all checks files: `upstream:` and exposures' `depends_on:` must name datasets of
/// the project (did-you-mean otherwise), a list names each dataset once, exposure names are unique, and lineage has
/// no cycle (reported once per edge that closes one, at that entry, naming the cycle's path).
public enum LineageValidation {
    /// Reports every problem to `diagnostics` and returns the graph of what is valid.
    static func validate(datasets: [DatasetConfig], exposures: [ExposureConfig], diagnostics: Diagnostics) -> LineageGraph {
        let names = datasets.map(\.name)
        let known = Set(names)
        for dataset in datasets {
            checkReferences(dataset.upstream, key: "upstream", owner: "dataset '\(dataset.name)'", known: known, names: names,
                            diagnostics: diagnostics)
        }
        var firstExposure: [String: SourceLocation] = [:]
        for exposure in exposures {
            if let first = firstExposure[exposure.name] {
                diagnostics.report("duplicate exposure '\(exposure.name)' (first defined at \(first)); give one of them another name", at: exposure.location)
            } else {
                firstExposure[exposure.name] = exposure.location
            }
            checkReferences(exposure.dependsOn, key: "depends_on", owner: "exposure '\(exposure.name)'", known: known, names: names,
                            diagnostics: diagnostics)
        }
        let graph = LineageGraph(datasets: datasets, exposures: exposures)
        for cycle in graph.cycles() {
            let path = cycle.path.joined(separator: " -> ")
            let message = "upstream '\(cycle.upstream)' closes a lineage cycle: \(path) (read '->' as 'is built from'); "
                + "a dataset cannot be built from itself: remove '\(cycle.upstream)' from the upstream of '\(cycle.dataset)' or another entry on the cycle"
            diagnostics.report(message, at: cycle.location ?? datasets.first { $0.name == cycle.dataset }?.location
                               ?? SourceLocation(file: "checks", line: 1, column: 1))
        }
        return graph
    }

    static func checkReferences(_ references: [LineageReference], key: String, owner: String, known: Set<String>, names: [String],
                                diagnostics: Diagnostics) {
        var seen: Set<String> = []
        for reference in references {
            if !known.contains(reference.name) {
                diagnostics.report("unknown dataset \(ConfigText.quoted(reference.name)) in '\(key)' of \(owner)\(Suggestion.hint(for: reference.name, in: names)); "
                                   + "name a dataset as written in its 'name:' in checks/*.yml", at: reference.location)
            } else if !seen.insert(reference.name).inserted {
                diagnostics.report("\(ConfigText.quoted(reference.name)) is listed twice in '\(key)' of \(owner); remove one", at: reference.location)
            }
        }
    }
}
