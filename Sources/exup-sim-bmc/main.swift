// exup-sim-bmc: a simulated BMC for the demo and the benchmarks (test support; never shipped).
//   exup-sim-bmc PORT [MODEL]
// Starts ipmi_sim through ExupTesting.SimulatedBMC on 127.0.0.1:PORT (user "admin", password "secret"),
// prints "READY <state directory>", and runs until SIGTERM or SIGINT. Writing STATE/bmc-firmware or
// STATE/system-firmware "flashes" it.
import ExupTesting

#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 2, let port = UInt16(arguments[1]) else {
    print("usage: exup-sim-bmc PORT [MODEL]")
    exit(64)
}
var setup = SimulatedBMC.Setup()
if arguments.count >= 3 { setup.productName = arguments[2] }
var signals = sigset_t()
sigemptyset(&signals)
sigaddset(&signals, SIGTERM)
sigaddset(&signals, SIGINT)
sigprocmask(SIG_BLOCK, &signals, nil)
do {
    let bmc = try SimulatedBMC(setup, port: port)
    // Written straight to file descriptor 1 so it is not held in a buffer (the C global stdout is off limits in Swift 6).
    let line = Array("READY \(bmc.directory.file("state"))\n".utf8)
    _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    var received: Int32 = 0
    sigwait(&signals, &received)
    bmc.stop()
} catch {
    print("exup-sim-bmc: \(error)")
    exit(1)
}
