import ExupCrypto
import ExupXML

/// `ExUpHash.xml`: the size and SHA-256 of every file member (package-format.md).
public struct HashManifest: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var path: String
        public var size: UInt64
        public var sha256: Digest

        public init(path: String, size: UInt64, sha256: Digest) {
            self.path = path
            self.size = size
            self.sha256 = sha256
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// Parses the manifest strictly; the error text is the reason after "ExUpHash.xml: ".
    public static func parse(_ bytes: [UInt8]) throws(PackageError) -> HashManifest {
        let root: XMLNode
        do { root = try StrictXMLParser.parse(bytes) } catch { throw .manifestInvalid(error.description) }
        guard root.name == "ExUpHash" else { throw .manifestInvalid("root element is <\(root.name)>, not <ExUpHash>") }
        guard let schema = root.attributes["schemaVersion"], let version = Int(schema), version >= 1 else {
            throw .manifestInvalid("schemaVersion must be a positive integer")
        }
        guard root.attributes["algorithm"] == "sha256" else {
            throw .manifestInvalid("algorithm must be \"sha256\", not \"\(root.attributes["algorithm"] ?? "")\"")
        }
        var entries: [Entry] = []
        var seen = Set<String>()
        for file in root.children(named: "File") {
            guard let path = file.attributes["path"], !path.isEmpty else { throw .manifestInvalid("line \(file.line): <File> without a path") }
            guard let sizeText = file.attributes["size"], !sizeText.isEmpty, sizeText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let size = UInt64(sizeText)
            else {
                throw .manifestInvalid("\(path): size must be a non-negative decimal integer")
            }
            guard let hex = file.attributes["sha256"], hex.utf8.count == 64, let digest = Digest(hex: hex) else {
                throw .manifestInvalid("\(path): sha256 must be 64 hex digits")
            }
            guard seen.insert(path).inserted else { throw .manifestInvalid("\(path): listed twice") }
            entries.append(Entry(path: path, size: size, sha256: digest))
        }
        return HashManifest(entries: entries)
    }

    /// The manifest's XML, in the layout of package-format.md.
    public func xml() -> [UInt8] {
        var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ExUpHash schemaVersion=\"1\" algorithm=\"sha256\">\n"
        for entry in entries {
            text += "  <File path=\"\(XMLEscape.attribute(entry.path))\" size=\"\(entry.size)\" sha256=\"\(entry.sha256.hex)\"/>\n"
        }
        text += "</ExUpHash>\n"
        return Array(text.utf8)
    }
}

public enum XMLEscape {
    public static func attribute(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
