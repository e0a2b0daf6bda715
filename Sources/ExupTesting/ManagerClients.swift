import Transport

extension HTTPClient {
    /// A client that sends `Authorization: Bearer <token>` (none when nil).
    public static func bearer(_ token: String?) -> HTTPClient {
        var options = HTTPClient.Options()
        options.bearerToken = token
        return HTTPClient(options: options)
    }
}

extension ManagerProcess {
    /// A client with this manager's administrator token.
    public var admin: HTTPClient { .bearer(adminToken) }
}
