import ExupXML
import PackageFormat

/// The XML parser and both documents' readers on arbitrary bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? StrictXMLParser.parse(bytes)
    _ = try? InfoParser.parse(bytes)
    _ = try? HashManifest.parse(bytes)
    return 0
}
