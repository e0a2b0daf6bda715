/// The URL-safe name of a model's delegated TUF role: `models/<slug>`, the slug readable and unique
/// (`Express5800/R120h-1M` → `express5800-r120h-1m-5c1f0e2a`). Model names compare exactly and
/// case-sensitively, so the slug carries a hash of the exact name; repository and agent compute it alike.
public enum ModelSlug {
    public static func make(_ model: String) -> String {
        var readable = ""
        var lastWasDash = true
        for scalar in model.unicodeScalars {
            let c = Character(scalar)
            if c.isASCII && (c.isLetter || c.isNumber) {
                readable.append(Character(c.lowercased()))
                lastWasDash = false
            } else if !lastWasDash {
                readable.append("-")
                lastWasDash = true
            }
            if readable.count >= 40 { break }
        }
        while readable.hasSuffix("-") { readable.removeLast() }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in model.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        let hex = String(hash >> 32, radix: 16)
        let suffix = String(repeating: "0", count: 8 - hex.count) + hex
        return readable.isEmpty ? suffix : readable + "-" + suffix
    }

    /// The delegated role a model's packages are listed in.
    public static func role(for model: String) -> String { "models/" + make(model) }

    /// The TUF target path of a package in a model's role.
    public static func targetPath(model: String, packageID: String) -> String { "models/\(make(model))/\(packageID).zip" }
}
