/// The version printed by `dqmon --version` and stored with every run.
public enum DQMonVersion {
    public static let current = "0.1.0"
}
