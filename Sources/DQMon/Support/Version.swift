/// The version printed by `dqmon --version` and stored with every run.
public enum DQMonVersion {
    public static let current = "0.1.0"
    /// The git commit the binary was built from. `scripts/release` writes it into its copy of this line;
    /// builds from a work tree (`swift build`) say `development build`.
    public static let commit = "development build"

    /// What `dqmon --version` prints: `0.1.0 (commit 1cd09f6a2b3c)`, or `0.1.0 (development build)`.
    public static var display: String {
        commit == "development build" ? "\(current) (\(commit))" : "\(current) (commit \(commit))"
    }
}
