import TOML

/// The TOML reader (both configuration files go through it) on arbitrary bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let document = try? TOMLDocument(parsing: text) {
        for name in document.tables.keys {
            var table = TOMLTable(document, name)
            for key in document.tables[name].map({ Array($0.keys) }) ?? [] {
                _ = try? table.string(key)
                _ = try? table.int(key, in: 0...Int.max)
                _ = try? table.strings(key)
            }
        }
    }
    return 0
}
