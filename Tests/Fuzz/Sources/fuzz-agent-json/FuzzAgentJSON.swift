import ExupCore
import ExupFormats
import FoundationEssentials

/// What an agent (or anyone with a token) sends the manager: the strict JSON reader and, independently (the
/// manager decodes with Foundation's decoder, not through the strict reader), the report, enrolment and
/// directives decoders, on arbitrary bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? JSON.parse(bytes)
    let decoder = JSONDecoder()
    _ = try? decoder.decode(AgentReport.self, from: Data(bytes))
    _ = try? decoder.decode(EnrolmentRequest.self, from: Data(bytes))
    _ = try? decoder.decode(Directives.self, from: Data(bytes))
    return 0
}
