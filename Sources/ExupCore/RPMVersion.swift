/// rpm's epoch-version-release order, as `rpm.vercmp` in rpm 4.18 computes it.
///
/// `[epoch:]version[-release]`: the epoch is the leading run of digits when a `:` follows it (an empty
/// or missing epoch compares as 0); the release is what follows the last `-`. A missing release sorts
/// before any present one (`1.0` < `1.0-1`), as rpm 4.18's `rpmverCmp` does.
public enum RPMVersion {
    public static func compare(_ a: String, _ b: String) -> Int {
        let left = EVR(a), right = EVR(b)
        var result = rpmvercmp(left.epoch ?? Array("0".utf8)[...], right.epoch ?? Array("0".utf8)[...])
        if result == 0 {
            result = rpmvercmp(left.version, right.version)
            if result == 0 {
                switch (left.release, right.release) {
                case (nil, nil): result = 0
                case (nil, _): result = -1
                case (_, nil): result = 1
                case (let l?, let r?): result = rpmvercmp(l, r)
                }
            }
        }
        return result
    }

    struct EVR {
        var epoch: ArraySlice<UInt8>?
        var version: ArraySlice<UInt8>
        var release: ArraySlice<UInt8>?

        /// A port of rpm's `parseEVR` (rpmio/rpmver.c).
        init(_ text: String) {
            let bytes = Array(text.utf8)[...]
            let digitsEnd = bytes.firstIndex(where: { !isDigit($0) }) ?? bytes.endIndex
            let hyphen = bytes[digitsEnd...].lastIndex(of: UInt8(ascii: "-"))
            var versionStart = bytes.startIndex
            if digitsEnd < bytes.endIndex, bytes[digitsEnd] == UInt8(ascii: ":") {
                let digits = bytes[..<digitsEnd]
                epoch = digits.isEmpty ? Array("0".utf8)[...] : digits
                versionStart = digitsEnd + 1
            } else {
                epoch = nil
            }
            if let hyphen {
                version = bytes[versionStart..<hyphen]
                release = bytes[(hyphen + 1)...]
            } else {
                version = bytes[versionStart...]
                release = nil
            }
        }
    }

    /// A port of `rpmvercmp` (rpmio/rpmvercmp.c, rpm 4.18), including `~` and `^`.
    static func rpmvercmp(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        if a.elementsEqual(b) { return 0 }
        let tilde = UInt8(ascii: "~"), caret = UInt8(ascii: "^")
        func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || isAlpha(c) }
        var one = a.startIndex, two = b.startIndex
        func c1() -> UInt8? { one < a.endIndex ? a[one] : nil }
        func c2() -> UInt8? { two < b.endIndex ? b[two] : nil }
        while c1() != nil || c2() != nil {
            while let c = c1(), !isAlnum(c), c != tilde, c != caret { one += 1 }
            while let c = c2(), !isAlnum(c), c != tilde, c != caret { two += 1 }
            if c1() == tilde || c2() == tilde {
                if c1() != tilde { return 1 }
                if c2() != tilde { return -1 }
                one += 1; two += 1
                continue
            }
            if c1() == caret || c2() == caret {
                if c1() == nil { return -1 }
                if c2() == nil { return 1 }
                if c1() != caret { return 1 }
                if c2() != caret { return -1 }
                one += 1; two += 1
                continue
            }
            guard let first = c1(), c2() != nil else { break }
            var end1 = one, end2 = two
            let isNumber = isDigit(first)
            func inSegment(_ c: UInt8) -> Bool { isNumber ? isDigit(c) : isAlpha(c) }
            while end1 < a.endIndex, inSegment(a[end1]) { end1 += 1 }
            while end2 < b.endIndex, inSegment(b[end2]) { end2 += 1 }
            if one == end1 { return -1 }
            if two == end2 { return isNumber ? 1 : -1 }
            var s1 = a[one..<end1], s2 = b[two..<end2]
            if isNumber {
                s1 = s1.drop(while: { $0 == UInt8(ascii: "0") })
                s2 = s2.drop(while: { $0 == UInt8(ascii: "0") })
                if s1.count != s2.count { return s1.count > s2.count ? 1 : -1 }
            }
            if !s1.elementsEqual(s2) {
                return s1.lexicographicallyPrecedes(s2) ? -1 : 1
            }
            one = end1; two = end2
        }
        if c1() == nil && c2() == nil { return 0 }
        return c1() == nil ? -1 : 1
    }
}
