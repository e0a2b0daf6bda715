import HTTPTypes
import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core storage plus where the request came from,
/// which the throttles key failures on.
public struct ManagerRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection's peer (a load balancer, when one is in front; see `ClientSource`).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Who sent a request, for throttling: the peer's IP address, or, when the peer is a trusted proxy (a load
/// balancer named in `[server] trusted-proxies`), the nearest address in `X-Forwarded-For` that is not
/// one of the trusted proxies. A client can never choose its own source by sending the header itself.
public struct ClientSource: Sendable {
    public let trustedProxies: Set<String>

    public init(trustedProxies: [String]) { self.trustedProxies = Set(trustedProxies) }

    public func address(of request: Request, context: ManagerRequestContext) -> String {
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        guard trustedProxies.contains(peer), let forwarded = request.headers[.xForwardedFor] else { return peer }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !trustedProxies.contains(hop) {
            return String(hop.prefix(64))
        }
        return peer
    }
}

extension HTTPField.Name {
    package static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

extension Substring {
    package func trimmingCharacters(in set: String) -> String {
        var text = self
        while let first = text.first, set.contains(first) { text.removeFirst() }
        while let last = text.last, set.contains(last) { text.removeLast() }
        return String(text)
    }
}
