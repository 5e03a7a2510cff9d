import Foundation

/// An array of Connector/C `MYSQL_BIND` structures with the buffers they point to, for a prepared statement's
/// parameters or its result columns. Written at the offsets of `MySQLABI.Bind`; freed by `deallocate()`.
/// Used on a session's thread only.
final class MySQLBindings {
    enum ResultKind {
        /// Signed integers of every width, read as 64-bit.
        case integer
        /// FLOAT and DOUBLE, read as double.
        case double
        /// DECIMAL and BIGINT UNSIGNED, read as text and converted (an exact number, or a double when it is not one).
        case number
        /// Everything else, read as text.
        case text
    }

    let count: Int
    let binds: UnsafeMutableRawPointer
    private let lengths: UnsafeMutablePointer<UInt>
    private let nulls: UnsafeMutablePointer<Int8>
    private let errors: UnsafeMutablePointer<Int8>
    private var buffers: [UnsafeMutableRawPointer?]
    private var capacities: [Int]

    init(count: Int) {
        self.count = count
        let size = max(1, count)
        binds = UnsafeMutableRawPointer.allocate(byteCount: size * MySQLABI.Bind.size, alignment: 8)
        binds.initializeMemory(as: UInt8.self, repeating: 0, count: size * MySQLABI.Bind.size)
        lengths = .allocate(capacity: size)
        lengths.initialize(repeating: 0, count: size)
        nulls = .allocate(capacity: size)
        nulls.initialize(repeating: 0, count: size)
        errors = .allocate(capacity: size)
        errors.initialize(repeating: 0, count: size)
        buffers = Array(repeating: nil, count: count)
        capacities = Array(repeating: 0, count: count)
    }

    func deallocate() {
        for buffer in buffers { buffer?.deallocate() }
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
        errors.deallocate()
    }

    private func bind(_ index: Int) -> UnsafeMutableRawPointer { binds + index * MySQLABI.Bind.size }

    /// Points bind `index` at a fresh buffer of `byteCount` bytes of type `type`.
    private func setUp(_ index: Int, type: UInt32, byteCount: Int, isUnsigned: Bool = false) -> UnsafeMutableRawPointer {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, byteCount), alignment: 8)
        buffers[index]?.deallocate()
        buffers[index] = buffer
        capacities[index] = byteCount
        let b = bind(index)
        b.storeBytes(of: lengths + index, toByteOffset: MySQLABI.Bind.length, as: UnsafeMutablePointer<UInt>.self)
        b.storeBytes(of: nulls + index, toByteOffset: MySQLABI.Bind.isNull, as: UnsafeMutablePointer<Int8>.self)
        b.storeBytes(of: buffer, toByteOffset: MySQLABI.Bind.buffer, as: UnsafeMutableRawPointer.self)
        b.storeBytes(of: errors + index, toByteOffset: MySQLABI.Bind.error, as: UnsafeMutablePointer<Int8>.self)
        b.storeBytes(of: UInt(byteCount), toByteOffset: MySQLABI.Bind.bufferLength, as: UInt.self)
        b.storeBytes(of: type, toByteOffset: MySQLABI.Bind.bufferType, as: UInt32.self)
        b.storeBytes(of: isUnsigned ? 1 : 0, toByteOffset: MySQLABI.Bind.isUnsigned, as: Int8.self)
        return buffer
    }

    /// Binds a parameter value (never spliced into the SQL).
    func bind(_ value: SQLValue, at index: Int) {
        switch value {
        case .null:
            _ = setUp(index, type: MySQLABI.typeNull, byteCount: 0)
            nulls[index] = 1
        case .integer(let number):
            setUp(index, type: MySQLABI.typeLongLong, byteCount: 8).storeBytes(of: number, as: Int64.self)
        case .real(let number):
            setUp(index, type: MySQLABI.typeDouble, byteCount: 8).storeBytes(of: number, as: Double.self)
        case .text(let text):
            let bytes = Array(text.utf8)
            let buffer = setUp(index, type: MySQLABI.typeString, byteCount: bytes.count)
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count) }
            lengths[index] = UInt(bytes.count)
        }
    }

    /// Binds result column `index` from its `MYSQL_FIELD` (type, flags, and `max_length` after store_result).
    func bindResult(field: UnsafeMutableRawPointer, at index: Int) -> ResultKind {
        let type = field.load(fromByteOffset: MySQLABI.Field.type, as: UInt32.self)
        let flags = field.load(fromByteOffset: MySQLABI.Field.flags, as: UInt32.self)
        let maxLength = field.load(fromByteOffset: MySQLABI.Field.maxLength, as: UInt.self)
        let isUnsigned = flags & MySQLABI.Field.unsignedFlag != 0
        switch type {
        case MySQLABI.typeTiny, MySQLABI.typeShort, MySQLABI.typeLong, MySQLABI.typeInt24, MySQLABI.typeYear,
             // BIGINT UNSIGNED may exceed Int64: read as a number below.
             MySQLABI.typeLongLong where !isUnsigned:
            _ = setUp(index, type: MySQLABI.typeLongLong, byteCount: 8, isUnsigned: false)
            return .integer
        case MySQLABI.typeFloat, MySQLABI.typeDouble:
            _ = setUp(index, type: MySQLABI.typeDouble, byteCount: 8)
            return .double
        default:
            let isNumber = [MySQLABI.typeDecimal, MySQLABI.typeNewDecimal, MySQLABI.typeLongLong].contains(type)
            _ = setUp(index, type: MySQLABI.typeString, byteCount: Int(min(maxLength, 1 << 26)) + 1)
            return isNumber ? .number : .text
        }
    }

    /// Whether the fetched value of text column `index` was longer than its buffer.
    func isTruncated(at index: Int) -> Bool { Int(lengths[index]) > capacities[index] }

    /// The fetched length of column `index`.
    func fetchedLength(at index: Int) -> Int { Int(min(lengths[index], 1 << 30)) }

    /// Sets bind `index` up as a text buffer of `byteCount` bytes (for `mysql_stmt_fetch_column` of a long value:
    /// a separate `MySQLBindings`, since the library keeps its own copy of the binds given to bind_result).
    func prepareText(at index: Int, byteCount: Int) {
        _ = setUp(index, type: MySQLABI.typeString, byteCount: byteCount)
    }

    func value(at index: Int, kind: ResultKind) -> SQLValue {
        if nulls[index] != 0 { return .null }
        guard let buffer = buffers[index] else { return .null }
        switch kind {
        case .integer:
            return .integer(buffer.load(as: Int64.self))
        case .double:
            return .real(buffer.load(as: Double.self))
        case .number:
            let text = string(buffer, at: index)
            if let integer = Int64(text) { return .integer(integer) }
            return Double(text).map(SQLValue.real) ?? .text(text)
        case .text:
            return .text(string(buffer, at: index))
        }
    }

    private func string(_ buffer: UnsafeMutableRawPointer, at index: Int) -> String {
        let length = min(Int(lengths[index]), capacities[index])
        return String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
    }
}
