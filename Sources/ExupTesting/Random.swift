/// A small seeded generator (SplitMix64), so a failing randomized test can be replayed from its seed.
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generators of version strings the real tools accept, built to collide often (shared prefixes,
/// tildes, carets, leading zeros) so comparisons exercise every branch.
public enum VersionGenerator {
    static func pick<R: RandomNumberGenerator>(_ chars: String, _ rng: inout R) -> Character {
        chars.randomElement(using: &rng)!
    }

    static func segment<R: RandomNumberGenerator>(_ rng: inout R, alphabet: String, maxLength: Int) -> String {
        var s = ""
        for _ in 0..<Int.random(in: 1...maxLength, using: &rng) { s.append(pick(alphabet, &rng)) }
        return s
    }

    /// A version `dpkg` accepts: `[epoch:]upstream[-revision]`, upstream starting with a digit.
    public static func debian<R: RandomNumberGenerator>(_ rng: inout R) -> String {
        let body = "0123456789abcXYZ.+~"
        var v = ""
        if Int.random(in: 0..<5, using: &rng) == 0 { v += "\(Int.random(in: 0...3, using: &rng)):" }
        v += String(Int.random(in: 0...12, using: &rng))
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            v += [".", "~", "+", ".0", "a", "~rc", ".00"].randomElement(using: &rng)!
            v += segment(&rng, alphabet: body, maxLength: 3)
        }
        if Bool.random(using: &rng) { v += "-" + segment(&rng, alphabet: "0123456789ab.+~", maxLength: 4) }
        return v
    }

    /// A version `rpm` accepts: `[epoch:]version[-release]` without `-` in the parts.
    public static func rpm<R: RandomNumberGenerator>(_ rng: inout R) -> String {
        let body = "0123456789abcXYZ._+~^"
        var v = ""
        if Int.random(in: 0..<5, using: &rng) == 0 { v += "\(Int.random(in: 0...3, using: &rng)):" }
        v += String(Int.random(in: 0...12, using: &rng))
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            v += [".", "~", "^", ".0", "a", "_", ".00"].randomElement(using: &rng)!
            v += segment(&rng, alphabet: body, maxLength: 3)
        }
        if Bool.random(using: &rng) { v += "-" + segment(&rng, alphabet: "0123456789abel._", maxLength: 4) }
        return v
    }

    /// A second version near `v`: the same, one character changed, extended, or truncated.
    public static func neighbour<R: RandomNumberGenerator>(of v: String, _ rng: inout R, alphabet: String) -> String {
        var chars = Array(v)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return v
        case 1:
            let i = Int.random(in: 0..<chars.count, using: &rng)
            if chars[i].isNumber { chars[i] = pick("0123456789", &rng) }
            return String(chars)
        case 2: return v + String(pick(alphabet, &rng)) + String(pick("0123456789", &rng))
        default:
            var shorter = chars.count > 1 ? String(chars.dropLast()) : v
            while shorter.hasSuffix("-") || shorter.hasSuffix(":") { shorter.removeLast() }
            return shorter.isEmpty ? v : shorter
        }
    }
}
