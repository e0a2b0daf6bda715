import WebForms

/// The web UI's form readers: a multipart upload (the first line of the input is the boundary) and a
/// URL-encoded form, on arbitrary bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let newline = bytes.firstIndex(of: 10) else { return 0 }
    let contentType = "multipart/form-data; boundary=" + String(decoding: bytes[..<newline], as: UTF8.self)
    if let boundary = MultipartFile.boundary(contentType: contentType) {
        let body = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[(newline + 1)...])
        _ = try? MultipartFile.parse(body, boundary: boundary) { name, content in _ = (name.count, content.count) }
    }
    _ = WebForm(urlEncoded: Array(bytes))
    return 0
}
