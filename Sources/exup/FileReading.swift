import ExupZip

/// A whole file of at most `limit` bytes, or nil when it is missing, unreadable or larger.
func readFile(_ path: String, limit: Int) -> [UInt8]? {
    guard let file = try? ReadOnlyFile(path: path), file.size <= UInt64(limit) else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(file.size))
    guard (try? file.forEachChunk({ bytes.append(contentsOf: $0) })) != nil else { return nil }
    return bytes
}
