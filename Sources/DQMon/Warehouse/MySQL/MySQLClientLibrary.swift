import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The MariaDB Connector/C client library (`libmariadb.so.3`, Debian's `libmariadb3`), loaded with `dlopen` the
/// first time a `type: mysql` warehouse is configured.
///
/// Why at run time and not linked: dqmon's users who never configure a MySQL warehouse must build and run dqmon
/// without the library or its headers. A package trait would make MySQL support a build-time choice (a binary
/// built without it cannot grow it later, and one built with it needs the library installed to start at all);
/// `dlopen` keeps one binary for everyone and fails only where MySQL is used, with one line naming the package.
/// The few C structures dqmon touches (`MYSQL_BIND`, `MYSQL_FIELD`) are read at fixed offsets for the 64-bit
/// Connector/C 3.x ABI (`MySQLABI`), which is stable across the `.so.3` soname.
///
/// `DQMON_MYSQL_LIBRARY` names another file to load (a different path or build of the library).
final class MySQLClientLibrary: @unchecked Sendable {
    typealias Handle = OpaquePointer
    typealias CString = UnsafePointer<CChar>

    let mysql_init: @convention(c) (Handle?) -> Handle?
    let mysql_options: @convention(c) (Handle?, UInt32, UnsafeRawPointer?) -> Int32
    let mysql_real_connect: @convention(c) (Handle?, CString?, CString?, CString?, CString?, UInt32, CString?, UInt) -> Handle?
    let mysql_close: @convention(c) (Handle?) -> Void
    let mysql_errno: @convention(c) (Handle?) -> UInt32
    let mysql_error: @convention(c) (Handle?) -> CString?
    let mysql_real_query: @convention(c) (Handle?, CString?, UInt) -> Int32
    let mysql_store_result: @convention(c) (Handle?) -> Handle?
    let mysql_free_result: @convention(c) (Handle?) -> Void
    let mysql_get_server_info: @convention(c) (Handle?) -> CString?
    let mysql_get_ssl_cipher: @convention(c) (Handle?) -> CString?
    let mysql_thread_id: @convention(c) (Handle?) -> UInt
    let mysql_server_init: @convention(c) (Int32, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
    let mysql_thread_init: @convention(c) () -> Int8
    let mysql_thread_end: @convention(c) () -> Void
    let mysql_stmt_init: @convention(c) (Handle?) -> Handle?
    let mysql_stmt_prepare: @convention(c) (Handle?, CString?, UInt) -> Int32
    let mysql_stmt_param_count: @convention(c) (Handle?) -> UInt
    let mysql_stmt_field_count: @convention(c) (Handle?) -> UInt32
    let mysql_stmt_bind_param: @convention(c) (Handle?, UnsafeMutableRawPointer?) -> Int8
    let mysql_stmt_bind_result: @convention(c) (Handle?, UnsafeMutableRawPointer?) -> Int8
    let mysql_stmt_execute: @convention(c) (Handle?) -> Int32
    let mysql_stmt_attr_set: @convention(c) (Handle?, UInt32, UnsafeRawPointer?) -> Int8
    let mysql_stmt_store_result: @convention(c) (Handle?) -> Int32
    let mysql_stmt_result_metadata: @convention(c) (Handle?) -> Handle?
    let mysql_fetch_field_direct: @convention(c) (Handle?, UInt32) -> UnsafeMutableRawPointer?
    let mysql_stmt_fetch: @convention(c) (Handle?) -> Int32
    let mysql_stmt_fetch_column: @convention(c) (Handle?, UnsafeMutableRawPointer?, UInt32, UInt) -> Int32
    let mysql_stmt_close: @convention(c) (Handle?) -> Int8
    let mysql_stmt_errno: @convention(c) (Handle?) -> UInt32
    let mysql_stmt_error: @convention(c) (Handle?) -> CString?

    /// Why the library could not be loaded: one line for `dqmon validate` and `dqmon check`.
    struct LoadError: Error, Sendable, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    static let defaultFileName = "libmariadb.so.3"
    static let overrideVariable = "DQMON_MYSQL_LIBRARY"

    /// The loaded library, or why not; loaded once per process (and `mysql_library_init` run once).
    static let shared: Result<MySQLClientLibrary, LoadError> = load(
        path: ProcessInfo.processInfo.environment[overrideVariable].flatMap { $0.isEmpty ? nil : $0 } ?? defaultFileName)

    static func load(path: String) -> Result<MySQLClientLibrary, LoadError> {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            return .failure(LoadError(reason: "type 'mysql' needs the MariaDB client library \(path), which is not installed: install Debian's package libmariadb3 (apt-get install libmariadb3)"))
        }
        do {
            let library = try MySQLClientLibrary(handle: handle)
            guard library.mysql_server_init(0, nil, nil) == 0 else {
                return .failure(LoadError(reason: "the MariaDB client library \(path) failed to initialize (mysql_library_init)"))
            }
            return .success(library)
        } catch {
            return .failure(error)
        }
    }

    private init(handle: UnsafeMutableRawPointer) throws(LoadError) {
        func symbol<T>(_ name: String, _: T.Type = T.self) throws(LoadError) -> T {
            guard let address = dlsym(handle, name) else {
                throw LoadError(reason: "the MariaDB client library lacks \(name): install Debian's package libmariadb3 (Connector/C 3.x)")
            }
            return unsafeBitCast(address, to: T.self)
        }
        mysql_init = try symbol("mysql_init")
        mysql_options = try symbol("mysql_options")
        mysql_real_connect = try symbol("mysql_real_connect")
        mysql_close = try symbol("mysql_close")
        mysql_errno = try symbol("mysql_errno")
        mysql_error = try symbol("mysql_error")
        mysql_real_query = try symbol("mysql_real_query")
        mysql_store_result = try symbol("mysql_store_result")
        mysql_free_result = try symbol("mysql_free_result")
        mysql_get_server_info = try symbol("mysql_get_server_info")
        mysql_get_ssl_cipher = try symbol("mysql_get_ssl_cipher")
        mysql_thread_id = try symbol("mysql_thread_id")
        mysql_server_init = try symbol("mysql_server_init")
        mysql_thread_init = try symbol("mysql_thread_init")
        mysql_thread_end = try symbol("mysql_thread_end")
        mysql_stmt_init = try symbol("mysql_stmt_init")
        mysql_stmt_prepare = try symbol("mysql_stmt_prepare")
        mysql_stmt_param_count = try symbol("mysql_stmt_param_count")
        mysql_stmt_field_count = try symbol("mysql_stmt_field_count")
        mysql_stmt_bind_param = try symbol("mysql_stmt_bind_param")
        mysql_stmt_bind_result = try symbol("mysql_stmt_bind_result")
        mysql_stmt_execute = try symbol("mysql_stmt_execute")
        mysql_stmt_attr_set = try symbol("mysql_stmt_attr_set")
        mysql_stmt_store_result = try symbol("mysql_stmt_store_result")
        mysql_stmt_result_metadata = try symbol("mysql_stmt_result_metadata")
        mysql_fetch_field_direct = try symbol("mysql_fetch_field_direct")
        mysql_stmt_fetch = try symbol("mysql_stmt_fetch")
        mysql_stmt_fetch_column = try symbol("mysql_stmt_fetch_column")
        mysql_stmt_close = try symbol("mysql_stmt_close")
        mysql_stmt_errno = try symbol("mysql_stmt_errno")
        mysql_stmt_error = try symbol("mysql_stmt_error")
    }
}

/// Constants and structure offsets of Connector/C 3.x on 64-bit Linux (`mysql.h`, `mariadb_com.h`,
/// `mariadb_stmt.h`), checked with `offsetof` against Debian bookworm's libmariadb-dev 3.3 (MariaDB 10.11.19).
enum MySQLABI {
    // enum mysql_option
    static let optConnectTimeout: UInt32 = 0
    static let optSetCharsetName: UInt32 = 7
    static let optProtocol: UInt32 = 9
    static let optReadTimeout: UInt32 = 11
    static let optWriteTimeout: UInt32 = 12
    static let optSSLVerifyServerCert: UInt32 = 21
    static let optSSLEnforce: UInt32 = 38
    static let protocolTCP: UInt32 = 1
    static let protocolSocket: UInt32 = 2
    // enum enum_stmt_attr_type
    static let stmtAttrUpdateMaxLength: UInt32 = 0
    // mysql_stmt_fetch
    static let noData: Int32 = 100
    static let dataTruncated: Int32 = 101

    /// `MYSQL_BIND`: 112 bytes.
    enum Bind {
        static let size = 112
        static let length = 0, isNull = 8, buffer = 16, error = 24, bufferLength = 64, bufferType = 96, isUnsigned = 101
    }

    /// `MYSQL_FIELD`: 128 bytes.
    enum Field {
        static let maxLength = 64, flags = 100, type = 112
        static let unsignedFlag: UInt32 = 32
    }

    // enum enum_field_types
    static let typeDecimal: UInt32 = 0, typeTiny: UInt32 = 1, typeShort: UInt32 = 2, typeLong: UInt32 = 3
    static let typeFloat: UInt32 = 4, typeDouble: UInt32 = 5, typeNull: UInt32 = 6, typeLongLong: UInt32 = 8
    static let typeInt24: UInt32 = 9, typeYear: UInt32 = 13, typeNewDecimal: UInt32 = 246, typeString: UInt32 = 254
}
