import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Schema evaluation as a pure function: each kind of change, severities, contract, first run, rename hint.
@Suite struct SchemaCheckTests {
    static let sqlite = SQLiteTypeNormalizer()

    /// `("amount", "NUMERIC", true)` -> a catalog column at its 1-based position in the list.
    static func columns(_ specs: [(String, String, Bool)]) -> [CatalogColumn] {
        specs.enumerated().map { CatalogColumn(name: $1.0, declaredType: $1.1, isNullable: $1.2, position: $0 + 1) }
    }

    static let orders = columns([("id", "INTEGER", false), ("amount", "NUMERIC", false), ("discount", "NUMERIC", true), ("status", "TEXT", false)])

    func evaluate(_ check: SchemaCheck, _ columns: [CatalogColumn], previous: [CatalogColumn]?) -> CheckOutcome {
        var input = CheckInput(now: ProjectFixture.now, table: TableName(parsing: "orders"), metrics: MetricValues(),
                               previousObserved: nil, columns: columns)
        input.typeNormalizer = Self.sqlite
        input.context[PreviousSchema.self] = previous.map { SchemaSnapshot(catalog: $0, types: Self.sqlite) }
        return check.evaluate(input)
    }

    @Test func firstRunRecordsTheBaselineAndPasses() {
        let outcome = evaluate(SchemaCheck(), Self.orders, previous: nil)
        #expect(outcome.status == .pass)
        #expect(outcome.message == "first run: baseline of 4 columns recorded")
        #expect(outcome.observedText == "4 columns")
        #expect(outcome.schemaSnapshot?.columns.map(\.name) == ["id", "amount", "discount", "status"])
        #expect(outcome.expected == "fail: removed, type; warn: nullable, added")
        let custom = SchemaCheck(severities: [.added: .info, .reordered: .fail], contract: [.init(column: "id", type: "int")])
        #expect(evaluate(custom, Self.orders, previous: nil).expected == "fail: removed, type, order; warn: nullable; contract: 1 column")
    }

    @Test func unchangedSchemaPassesAndStoresNothing() {
        let outcome = evaluate(SchemaCheck(), Self.orders, previous: Self.orders)
        #expect(outcome.status == .pass)
        #expect(outcome.message == "no schema changes (4 columns)")
        #expect(outcome.schemaSnapshot == nil)
    }

    @Test func removedColumnFailsByDefault() {
        let now = Self.columns([("id", "INTEGER", false), ("amount", "NUMERIC", false), ("status", "TEXT", false)])
        let outcome = evaluate(SchemaCheck(), now, previous: Self.orders)
        #expect(outcome.status == .fail)
        #expect(outcome.message == "removed column \"discount\"")
        #expect(outcome.schemaSnapshot?.columns.count == 3)
    }

    @Test func messageListsEachChangeAsTheSpecShows() {
        let now = Self.columns([("id", "INTEGER", false), ("amount", "TEXT", false), ("status", "TEXT", false)])
        let outcome = evaluate(SchemaCheck(), now, previous: Self.orders)
        #expect(outcome.status == .fail)
        #expect(outcome.message == "removed column \"discount\"; type of \"amount\" changed numeric -> text")
    }

    @Test func addedColumnWarnsByDefaultAndInfoPasses() {
        let now = Self.orders + [CatalogColumn(name: "coupon", declaredType: "VARCHAR(20)", isNullable: true, position: 5)]
        let warned = evaluate(SchemaCheck(), now, previous: Self.orders)
        #expect(warned.status == .warn)
        #expect(warned.message == "added column \"coupon\" (text)")
        let info = evaluate(SchemaCheck(severities: [.added: .info]), now, previous: Self.orders)
        #expect(info.status == .pass)
        #expect(info.message == "added column \"coupon\" (text)")
    }

    @Test func nullableChangeWarnsByDefault() {
        let now = Self.columns([("id", "INTEGER", false), ("amount", "NUMERIC", true), ("discount", "NUMERIC", false), ("status", "TEXT", false)])
        let outcome = evaluate(SchemaCheck(), now, previous: Self.orders)
        #expect(outcome.status == .warn)
        #expect(outcome.message == "\"amount\" became nullable; \"discount\" became NOT NULL")
        #expect(evaluate(SchemaCheck(severities: [.nullableChanged: .none]), now, previous: Self.orders).status == .pass)
    }

    @Test func reorderIsListedButPassesByDefault() {
        let now = Self.columns([("id", "INTEGER", false), ("status", "TEXT", false), ("amount", "NUMERIC", false), ("discount", "NUMERIC", true)])
        let outcome = evaluate(SchemaCheck(), now, previous: Self.orders)
        #expect(outcome.status == .pass)
        #expect(outcome.message == "column \"status\" moved from position 4 to 2")
        #expect(evaluate(SchemaCheck(severities: [.reordered: .fail]), now, previous: Self.orders).status == .fail)
    }

    @Test func positionsShiftedByARemovalAreNotAReorder() {
        let now = Self.columns([("amount", "NUMERIC", false), ("discount", "NUMERIC", true), ("status", "TEXT", false)])
        let outcome = evaluate(SchemaCheck(severities: [.reordered: .fail, .removed: .warn]), now, previous: Self.orders)
        #expect(outcome.message == "removed column \"id\"")
        #expect(outcome.status == .warn)
    }

    @Test func typeChangeSeverityIsConfigurable() {
        let now = Self.columns([("id", "INTEGER", false), ("amount", "REAL", false), ("discount", "NUMERIC", true), ("status", "TEXT", false)])
        #expect(evaluate(SchemaCheck(), now, previous: Self.orders).message == "type of \"amount\" changed numeric -> real")
        #expect(evaluate(SchemaCheck(severities: [.typeChanged: .warn]), now, previous: Self.orders).status == .warn)
    }

    @Test func spellingOnlyTypeChangesAreNoChange() {
        let now = Self.columns([("id", "BIGINT", false), ("amount", "DECIMAL(10,2)", false), ("discount", "numeric", true), ("status", "varchar(255)", false)])
        let outcome = evaluate(SchemaCheck(), now, previous: Self.orders)
        #expect(outcome.message == "no schema changes (4 columns)")
        #expect(outcome.schemaSnapshot == nil)
    }

    @Test func renamedColumnGetsAHint() {
        let now = Self.columns([("id", "INTEGER", false), ("amount", "NUMERIC", false), ("discount_eur", "NUMERIC", true), ("status", "TEXT", false)])
        let outcome = evaluate(SchemaCheck(), now, previous: Self.orders)
        #expect(outcome.status == .fail)
        #expect(outcome.message == "removed column \"discount\"; added column \"discount_eur\" (numeric, possibly renamed from \"discount\")")
    }

    @Test func noRenameHintForAnotherTypeOrPosition() {
        let now = Self.columns([("id", "INTEGER", false), ("amount", "NUMERIC", false), ("discount_pct", "TEXT", true), ("status", "TEXT", false)])
        #expect(evaluate(SchemaCheck(), now, previous: Self.orders).message == "removed column \"discount\"; added column \"discount_pct\" (text)")
    }

    @Test func contractViolationFailsOnTheFirstRun() {
        let contract = [SchemaCheck.ContractColumn(column: "id", type: "bigint"), .init(column: "amount", type: "text"),
                        .init(column: "currency", type: "text")]
        let outcome = evaluate(SchemaCheck(contract: contract), Self.orders, previous: nil)
        #expect(outcome.status == .fail)
        #expect(outcome.message == "contract: \"amount\" is numeric, expected text; contract: column \"currency\" (text) is missing; first run: baseline of 4 columns recorded")
        #expect(outcome.schemaSnapshot != nil)
    }

    @Test func contractMetPassesEvenWhenChangesAreInfo() {
        let contract = [SchemaCheck.ContractColumn(column: "id", type: "int8"), .init(column: "Amount", type: "decimal(12,2)")]
        let check = SchemaCheck(severities: [.removed: .info], contract: contract)
        #expect(evaluate(check, Self.orders, previous: Self.orders).message == "no schema changes (4 columns, contract of 2 columns met)")
        let now = Array(Self.orders.prefix(2))
        let outcome = evaluate(check, now, previous: Self.orders)
        #expect(outcome.status == .pass)
        #expect(outcome.message == "removed column \"discount\"; removed column \"status\"")
    }

    @Test func contractOverridesABaselineThatAlreadyDrifted() {
        // The baseline accepted `amount` as text; the contract still says numeric, so the check keeps failing.
        let drifted = Self.columns([("id", "INTEGER", false), ("amount", "TEXT", false)])
        let check = SchemaCheck(contract: [.init(column: "amount", type: "numeric")])
        let outcome = evaluate(check, drifted, previous: drifted)
        #expect(outcome.status == .fail)
        #expect(outcome.message == "contract: \"amount\" is text, expected numeric")
    }

    @Test func quotedAndMixedCaseNamesAreComparedExactly() {
        let before = Self.columns([("Order ID", "INTEGER", false), ("Amount", "NUMERIC", false), ("say \"hi\"", "TEXT", true)])
        let after = Self.columns([("Order ID", "INTEGER", false), ("amount", "NUMERIC", false), ("say \"hi\"", "TEXT", true)])
        let outcome = evaluate(SchemaCheck(), after, previous: before)
        #expect(outcome.message == "removed column \"Amount\"; added column \"amount\" (numeric, possibly renamed from \"Amount\")")
        #expect(evaluate(SchemaCheck(), before, previous: before).message == "no schema changes (3 columns)")
        let contract = SchemaCheck(contract: [.init(column: "order id", type: "int"), .init(column: "say \"hi\"", type: "blob")])
        #expect(evaluate(contract, before, previous: before).message == "contract: \"say \"\"hi\"\"\" is text, expected blob")
    }

    @Test func missingTableFailsOnlyWhenSeenBefore() {
        var input = CheckInput(now: ProjectFixture.now, table: TableName(parsing: "orders"), metrics: MetricValues(), previousObserved: nil)
        #expect(SchemaCheck().evaluateMissingTable(input) == nil)
        input.context[PreviousSchema.self] = SchemaSnapshot(columns: SchemaSnapshot(catalog: Self.orders, types: Self.sqlite).columns, takenAt: ProjectFixture.now)
        let outcome = SchemaCheck().evaluateMissingTable(input)
        #expect(outcome?.status == .fail)
        #expect(outcome?.message == "table dropped: orders no longer exists (last snapshot at 2026-11-25T12:00:00Z had 4 columns; dropped or renamed upstream)")
    }
}

extension CheckOutcome {
    /// The snapshot a schema check hands to history (its artifact), if it carries one.
    var schemaSnapshot: SchemaSnapshot? { artifacts.lazy.compactMap { $0 as? SchemaSnapshot }.first }
}
