/// Debian's version order (`dpkg --compare-versions`), extended to every string so that BIOS and
/// firmware strings dpkg would refuse still sort the same way every time.
///
/// A version is `[epoch:]upstream[-revision]`. The epoch is the run of digits before the first `:`
/// (when that run is not all digits there is no epoch and the whole string is the upstream part, as
/// `0:` would be); the revision is what follows the last `-`. Parts compare with dpkg's `verrevcmp`.
public enum DebianVersion {
    /// Compares two version strings: negative when `a` sorts before `b`, zero when equal, positive after.
    public static func compare(_ a: String, _ b: String) -> Int {
        let left = Parts(a), right = Parts(b)
        let epochs = compareDigitRuns(left.epoch, right.epoch)
        if epochs != 0 { return epochs }
        let upstream = verrevcmp(left.upstream, right.upstream)
        if upstream != 0 { return upstream }
        return verrevcmp(left.revision, right.revision)
    }

    struct Parts {
        var epoch: ArraySlice<UInt8>
        var upstream: ArraySlice<UInt8>
        var revision: ArraySlice<UInt8>

        init(_ version: String) {
            let bytes = Array(version.utf8)[...]
            var rest = bytes
            epoch = []
            if let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
                colon > bytes.startIndex,
                bytes[..<colon].allSatisfy(isDigit)
            {
                epoch = bytes[..<colon]
                rest = bytes[(colon + 1)...]
            }
            if let hyphen = rest.lastIndex(of: UInt8(ascii: "-")) {
                upstream = rest[..<hyphen]
                revision = rest[(hyphen + 1)...]
            } else {
                upstream = rest
                revision = []
            }
        }
    }

    /// dpkg's `order()`: `~` before everything (even the end), then the end, then letters, then the rest.
    private static func order(_ c: UInt8?) -> Int {
        guard let c else { return 0 }
        if isDigit(c) { return 0 }
        if isAlpha(c) { return Int(c) }
        if c == UInt8(ascii: "~") { return -1 }
        return Int(c) + 256
    }

    /// A port of dpkg's `verrevcmp` (lib/dpkg/version.c).
    static func verrevcmp(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        var i = a.startIndex, j = b.startIndex
        func at(_ s: ArraySlice<UInt8>, _ k: Int) -> UInt8? { k < s.endIndex ? s[k] : nil }
        while i < a.endIndex || j < b.endIndex {
            var firstDiff = 0
            while (at(a, i).map { !isDigit($0) } ?? false) || (at(b, j).map { !isDigit($0) } ?? false) {
                let ac = order(at(a, i)), bc = order(at(b, j))
                if ac != bc { return ac - bc }
                i += 1; j += 1
            }
            while at(a, i) == UInt8(ascii: "0") { i += 1 }
            while at(b, j) == UInt8(ascii: "0") { j += 1 }
            while let x = at(a, i), let y = at(b, j), isDigit(x), isDigit(y) {
                if firstDiff == 0 { firstDiff = Int(x) - Int(y) }
                i += 1; j += 1
            }
            if let x = at(a, i), isDigit(x) { return 1 }
            if let y = at(b, j), isDigit(y) { return -1 }
            if firstDiff != 0 { return firstDiff }
        }
        return 0
    }

    /// Compares two runs of ASCII digits as unbounded non-negative integers.
    static func compareDigitRuns(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        let x = a.drop(while: { $0 == UInt8(ascii: "0") }), y = b.drop(while: { $0 == UInt8(ascii: "0") })
        if x.count != y.count { return x.count < y.count ? -1 : 1 }
        for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
        return 0
    }
}

@inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
@inline(__always) func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
