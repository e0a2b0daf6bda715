import Hummingbird

extension Parameters {
    /// A path parameter as the user wrote it: percent-decoded once (`w%C3%A9b01` → `wéb01`), so names in
    /// answers and in the log read as they were given.
    func decoded(_ key: String) throws -> String { RawPath.percentDecode(try require(key)) }
}
