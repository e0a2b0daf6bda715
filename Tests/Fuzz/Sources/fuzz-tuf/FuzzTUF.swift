import ExupFormats
import TUF

/// The TUF metadata parser: the strict JSON reader, the signed envelope, and each role's fields, on
/// arbitrary bytes (what a hostile repository or mirror could serve).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for role in [Root.type, Timestamp.type, Snapshot.type, Targets.type, "models/fuzz"] {
        guard let envelope = try? Envelope(bytes: bytes, role: role) else { continue }
        _ = try? Root(json: envelope.signed)
        _ = try? Timestamp(json: envelope.signed)
        _ = try? Snapshot(json: envelope.signed)
        _ = try? Targets(json: envelope.signed, role: role)
    }
    if let json = try? JSON.parse(bytes) {
        _ = json.canonicalBytes
        _ = try? Targets(json: json)
    }
    return 0
}
