import HummingbirdCore
import NIOCore
import Synchronization

/// Open connections per client address: one address cannot hold the server's sockets (a slow-client or
/// connection flood). Trusted proxies (load balancers) are not limited; agents behind one NAT address
/// close their connection between polls, so they stay far below the limit.
final class ConnectionCounter: Sendable {
    let limit: Int
    let exempt: Set<String>
    private let open = Mutex([String: Int]())

    init(limit: Int, exempt: [String]) {
        self.limit = limit
        self.exempt = Set(exempt)
    }

    /// Counts a new connection from `address`; false (and not counted) when it would be over the limit.
    func admit(_ address: String) -> Bool {
        guard !exempt.contains(address) else { return true }
        return open.withLock { counts in
            let current = counts[address, default: 0]
            guard current < limit else { return false }
            counts[address] = current + 1
            return true
        }
    }

    func release(_ address: String) {
        guard !exempt.contains(address) else { return }
        open.withLock { counts in
            let left = counts[address, default: 1] - 1
            counts[address] = left > 0 ? left : nil
        }
    }

    func count(_ address: String) -> Int { open.withLock { $0[address, default: 0] } }
}

/// Closes a new connection at once when its address already holds `limit` open ones.
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    // Reads pass through untouched (the default channelRead forwards them).
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny

    let counter: ConnectionCounter
    private var admitted: String?

    init(counter: ConnectionCounter) { self.counter = counter }

    func channelActive(context: ChannelHandlerContext) {
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard counter.admit(address) else {
            context.close(promise: nil)
            return
        }
        admitted = address
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseSlot()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { releaseSlot() }

    private func releaseSlot() {
        if let admitted { counter.release(admitted) }
        admitted = nil
    }
}
