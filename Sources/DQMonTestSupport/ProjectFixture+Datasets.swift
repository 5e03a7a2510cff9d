import Foundation

extension ProjectFixture {
    /// A project (the default `dqmon.yml`, or `projectYAML`) whose only checks file, `checks/<file>` (default
    /// `<dataset>.yml`), holds one dataset, written the way every test writes it:
    ///
    ///     version: 1
    ///     datasets:
    ///       - name: <dataset>
    ///         <each of keys>
    ///         checks:
    ///     <checks>
    ///
    /// `keys` are dataset keys such as `tier: 1`; `checks` is copied as it is, so its list items carry their own
    /// six-space indentation (`"      - volume: {}"`) and positions in error messages stay what the tests expect
    /// (the first check is on line 5 when there are no keys).
    public convenience init(dataset: String, file: String? = nil, keys: [String] = [], checks: String,
                            projectYAML: String? = nil) {
        self.init(projectYAML: projectYAML)
        self.checks(file ?? "\(dataset).yml", Self.checksYAML(dataset: dataset, keys: keys, checks: checks))
    }

    /// The text of a checks file with one dataset (see `init(dataset:file:keys:checks:projectYAML:)`).
    public static func checksYAML(dataset: String, keys: [String] = [], checks: String) -> String {
        let keyLines = keys.map { "    \($0)\n" }.joined()
        return "version: 1\ndatasets:\n  - name: \(dataset)\n" + keyLines + "    checks:\n" + checks
    }
}
