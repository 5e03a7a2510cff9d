import DQMon
import Foundation
import Testing

/// Type names per warehouse: spellings of one type normalize to one name, so they are never a "change".
@Suite struct TypeNormalizerTests {
    @Test(arguments: [
        ("int4", "integer"), ("integer", "integer"), ("INT", "integer"), ("int", "integer"), ("serial", "integer"),
        ("int8", "bigint"), ("BIGINT", "bigint"), ("bigserial", "bigint"), ("int2", "smallint"),
        ("numeric(10,2)", "numeric"), ("decimal", "numeric"), ("NUMERIC", "numeric"),
        ("float4", "real"), ("float8", "double precision"), ("double precision", "double precision"),
        ("float(10)", "real"), ("float(53)", "double precision"),
        ("character varying(20)", "text"), ("varchar", "text"), ("text", "text"),
        ("character(3)", "char"), ("bpchar", "char"),
        ("bool", "boolean"), ("timestamp(3) without time zone", "timestamp"), ("timestamp", "timestamp"),
        ("timestamptz", "timestamptz"), ("timestamp with time zone", "timestamptz"), ("timestamp(6) with time zone", "timestamptz"),
        ("time with time zone", "timetz"), ("interval day to second", "interval"),
        ("integer[]", "integer[]"), ("_int4", "integer[]"), ("character varying(10)[]", "text[]"),
        ("pg_catalog.int4", "integer"), ("jsonb", "jsonb"), ("uuid", "uuid"), ("mood", "mood"), ("\"MyEnum\"", "\"MyEnum\""),
    ])
    func postgres(declared: String, normalized: String) {
        #expect(PostgresTypeNormalizer().normalize(declared) == normalized)
    }

    @Test(arguments: [
        ("INTEGER", "integer"), ("INT", "integer"), ("BIGINT", "integer"), ("int8", "integer"), ("UNSIGNED BIG INT", "integer"),
        ("TEXT", "text"), ("VARCHAR(255)", "text"), ("NVARCHAR(100)", "text"), ("CLOB", "text"),
        ("BLOB", "blob"), ("", "blob"), ("REAL", "real"), ("DOUBLE PRECISION", "real"), ("FLOAT", "real"),
        ("NUMERIC", "numeric"), ("DECIMAL(10,5)", "numeric"), ("BOOLEAN", "boolean"), ("DATE", "date"),
        ("DATETIME", "timestamp"), ("timestamp", "timestamp"), ("STRING", "numeric"),
    ])
    func sqliteAffinity(declared: String, normalized: String) {
        #expect(SQLiteTypeNormalizer().normalize(declared) == normalized)
    }

    @Test func dialectsChooseTheirNormalizer() {
        #expect(SQLiteDialect().typeNormalizer.normalize("BIGINT") == "integer")
        #expect(SQLiteSettings(path: URL(fileURLWithPath: "/tmp/x")).dialect.typeNormalizer.normalize("varchar(3)") == "text")
    }

    @Test func misspeltContractTypesAreCaughtButCustomTypesAccepted() {
        #expect(KnownTypeNames.misspelling("numberic") == "numeric")
        #expect(KnownTypeNames.misspelling("timestmp") == "timestamp")
        #expect(KnownTypeNames.misspelling("numeric(10,2)") == nil)
        #expect(KnownTypeNames.misspelling("int4[]") == nil)
        #expect(KnownTypeNames.misspelling("point") == nil)
        #expect(KnownTypeNames.misspelling("mood") == nil)
        #expect(KnownTypeNames.misspelling("txt") == "text")
        #expect(KnownTypeNames.misspelling("order_status") == nil)
    }
}
