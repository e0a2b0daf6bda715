import ExupCore
import ExupTesting
import Testing

/// package-format.md "Version order": Debian's and rpm's algorithms, against the real tools.
@Suite struct DebianVersionTests {
    static let cases: [(String, String, Int)] = [
        ("1.0", "1.0", 0),
        ("1.0", "1.00", 0),  // numeric runs ignore leading zeros
        ("001.2", "1.2", 0),
        ("1.0~rc1", "1.0", -1),  // ~ sorts before the end
        ("1.0~~", "1.0~", -1),
        ("1.0~rc1", "1.0~rc2", -1),
        ("1.0", "1.0+b1", -1),
        ("1.0a", "1.0", 1),  // letters after the end
        ("1.0a", "1.0.", -1),  // letters before non-letters
        ("1.0a", "1.0+", -1),
        ("1:0.1", "2.0", 1),  // epoch first
        ("0:1.0", "1.0", 0),  // a 0 epoch equals none
        ("01:1.0", "1:1.0", 0),
        ("1.0-1", "1.0-2", -1),
        ("1.0-1", "1.0", 1),
        ("1.0-10", "1.0-9", 1),
        ("1..2", "1.2", 1),  // empty segment: '.' is after a digit run's end
        ("2.15", "2.9", 1),  // BMC firmware 2.15 is newer than 2.9
        ("2.15", "2.15", 0),
        ("R120h.1.0", "R120h.1.1", -1),  // BIOS strings dpkg rejects still compare
        ("F.30", "F.4", 1),
        ("U30 v2.40", "U30 v2.38", 1),
        ("", "0", 0),
        ("~", "", -1),
        ("abc", "abd", -1),
        ("1.0-1-2", "1.0-1-10", -1),  // the revision follows the last hyphen
        ("a:1", "b:1", -1),  // not an epoch: compared as upstream text
        ("99999999999999999999:1", "1:1", 1),
    ]

    @Test("hand-written edge cases", arguments: cases)
    func edgeCases(_ c: (String, String, Int)) {
        #expect(DebianVersion.compare(c.0, c.1).signum() == c.2, "\(c.0) vs \(c.1)")
        #expect(DebianVersion.compare(c.1, c.0).signum() == -c.2, "\(c.1) vs \(c.0)")
    }

    @Test("the edge cases dpkg accepts agree with dpkg --compare-versions")
    func edgeCasesAgainstDpkg() throws {
        // dpkg refuses versions not starting with a digit and epochs past INT_MAX; those are exup's extension.
        func dpkgAccepts(_ v: String) -> Bool { v.first?.isNumber == true && (v.split(separator: ":").first?.count ?? 0) < 10 }
        let valid = DebianVersionTests.cases.filter { dpkgAccepts($0.0) && dpkgAccepts($0.1) }
        let answers = try ToolOracle.dpkg(valid.map { ($0.0, $0.1) })
        for (c, answer) in zip(valid, answers) { #expect(answer == c.2, "\(c.0) vs \(c.1): dpkg says \(answer)") }
    }

    @Test("2,000 generated valid pairs agree with dpkg --compare-versions")
    func generatedAgainstDpkg() throws {
        var rng = SeededRandom(seed: 0xD9C6_2026)
        var pairs: [(String, String)] = []
        while pairs.count < 2_000 {
            let a = VersionGenerator.debian(&rng)
            let b = Bool.random(using: &rng) ? VersionGenerator.neighbour(of: a, &rng, alphabet: ".~+a") : VersionGenerator.debian(&rng)
            if b.first?.isNumber == true || b.contains(":") { pairs.append((a, b)) }
        }
        let answers = try ToolOracle.dpkg(pairs)
        var mismatches: [String] = []
        for ((a, b), answer) in zip(pairs, answers) where DebianVersion.compare(a, b).signum() != answer {
            mismatches.append("\(a) vs \(b): exup \(DebianVersion.compare(a, b).signum()), dpkg \(answer)")
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(5))")
        #expect(Set(answers).count == 3, "the sample must contain less, equal and greater pairs")
    }

    @Test("a total order on arbitrary strings: antisymmetric and transitive")
    func totalOrderOnArbitraryStrings() {
        var rng = SeededRandom(seed: 42)
        let alphabet = Array("0123456789.~+-:aZ _/é")
        func arbitrary() -> String { String((0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }) }
        for _ in 0..<3_000 {
            let a = arbitrary(), b = arbitrary(), c = arbitrary()
            let ab = DebianVersion.compare(a, b).signum(), bc = DebianVersion.compare(b, c).signum()
            #expect(ab == -DebianVersion.compare(b, a).signum(), "\(a) vs \(b)")
            if ab <= 0 && bc <= 0 { #expect(DebianVersion.compare(a, c) <= 0, "\(a) ≤ \(b) ≤ \(c)") }
        }
    }
}

@Suite struct RPMVersionTests {
    static let cases: [(String, String, Int)] = [
        ("1.0", "1.0", 0),
        ("1.0~rc1", "1.0", -1),
        ("1.0^git1", "1.0", 1),  // ^ sorts after the end…
        ("1.0^git1", "1.0.1", -1),  // …but before more version
        ("1.0", "1.0-1", -1),  // a missing release sorts before any release
        ("1.0-1", "1.0-1", 0),
        ("1:1.0", "2.0", 1),
        ("0:1.0", "1.0", 0),
        (":1.0", "0:1.0", 0),  // an empty epoch is 0
        ("1.0a", "1.0", 1),
        ("1.a", "1.1", -1),  // numbers newer than letters
        ("1.001", "1.1", 0),
        ("1.0.0", "1.0", 1),
        ("1_0", "1.0", 0),  // separators only separate
        ("2.0-1.el9", "2.0-1.el8", 1),
        ("5.14.0-362.8.1.el9_3", "5.14.0-362.13.1.el9_3", -1),
        ("abc", "abd", -1),
    ]

    @Test("hand-written edge cases", arguments: cases)
    func edgeCases(_ c: (String, String, Int)) {
        #expect(RPMVersion.compare(c.0, c.1).signum() == c.2, "\(c.0) vs \(c.1)")
        #expect(RPMVersion.compare(c.1, c.0).signum() == -c.2, "\(c.1) vs \(c.0)")
    }

    @Test("the edge cases agree with rpm.vercmp")
    func edgeCasesAgainstRPM() throws {
        let answers = try ToolOracle.rpm(RPMVersionTests.cases.map { ($0.0, $0.1) })
        for (c, answer) in zip(RPMVersionTests.cases, answers) { #expect(answer == c.2, "\(c.0) vs \(c.1): rpm says \(answer)") }
    }

    @Test("2,000 generated valid pairs agree with rpm.vercmp (rpm 4.18)")
    func generatedAgainstRPM() throws {
        var rng = SeededRandom(seed: 0x2F11_2026)
        var pairs: [(String, String)] = []
        while pairs.count < 2_000 {
            let a = VersionGenerator.rpm(&rng)
            let b = Bool.random(using: &rng) ? VersionGenerator.neighbour(of: a, &rng, alphabet: ".~^a") : VersionGenerator.rpm(&rng)
            pairs.append((a, b))
        }
        let answers = try ToolOracle.rpm(pairs)
        var mismatches: [String] = []
        for ((a, b), answer) in zip(pairs, answers) where RPMVersion.compare(a, b).signum() != answer {
            mismatches.append("\(a) vs \(b): exup \(RPMVersion.compare(a, b).signum()), rpm \(answer)")
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(5))")
        #expect(Set(answers).count == 3)
    }

    @Test("the scheme follows the OS of the module's package")
    func schemeSelection() {
        let rhel = OSIdentity(id: "rhel", versionID: "9.4"), debian = OSIdentity(id: "debian", versionID: "12")
        #expect(VersionScheme.forModule("package:openssl", on: rhel) == .rpm)
        #expect(VersionScheme.forModule("package:openssl", on: debian) == .debian)
        #expect(VersionScheme.forModule("system-bios", on: rhel) == .debian)
    }
}
