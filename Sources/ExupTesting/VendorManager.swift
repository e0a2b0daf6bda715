/// A manager process on loopback with a test vendor whose key it trusts: where most manager-level tests
/// start. Stopped when the value goes away.
public final class VendorManager: @unchecked Sendable {
    public let manager: ManagerProcess
    public let work: TemporaryDirectory
    public let vendor: TestVendor

    public init(extraArguments: [String] = []) throws {
        manager = try ManagerProcess(extraArguments: extraArguments)
        work = try TemporaryDirectory()
        vendor = try TestVendor(in: work)
        try manager.trust(vendor)
    }

    deinit { manager.stop() }
}
