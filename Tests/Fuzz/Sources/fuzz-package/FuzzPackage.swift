import ExupZip
import PackageFormat

#if canImport(Glibc)
    import Glibc
#endif

/// The package reader on arbitrary archive bytes: open (every archive rule), stream every member
/// (inflate with its size bound), then the full verification. Any crash, hang or sanitizer report is a bug;
/// refusals are the expected outcome.
private let path = "/dev/shm/exup-fuzz-package-\(getpid()).zip"
private let verifier = PackageVerifier(trustedKeys: TrustedKeys(keys: []))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { return 0 }
    _ = write(fd, data, size)
    close(fd)
    if let archive = try? ZipArchive(path: path, limits: ZipLimits(maxMembers: 64, maxTotalUncompressed: 8 << 20)) {
        for member in archive.members { try? archive.stream(member) { _ in } }
    }
    _ = try? verifier.verify(path: path)
    return 0
}
