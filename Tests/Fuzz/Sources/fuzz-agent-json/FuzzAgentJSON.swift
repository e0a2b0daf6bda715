import ExupCore
import FoundationEssentials
import TUF

/// What an agent (or anyone with a token) sends the manager: the strict JSON reader, then the report and
/// enrolment decoders, on arbitrary bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard (try? JSON.parse(bytes))?.object != nil else { return 0 }
    let decoder = JSONDecoder()
    _ = try? decoder.decode(AgentReport.self, from: Data(bytes))
    _ = try? decoder.decode(EnrolmentRequest.self, from: Data(bytes))
    _ = try? decoder.decode(Directives.self, from: Data(bytes))
    return 0
}
