internal import CXML2

/// Parses untrusted XML through libxml2 with no DTD, no entity expansion, no network, a size limit and
/// a depth limit (package-format.md: "Both XML files are parsed with no DTD, …").
public enum StrictXMLParser {
    public static let defaultSizeLimit = 1 << 20
    public static let defaultDepthLimit = 64

    public static func parse(
        _ bytes: [UInt8], sizeLimit: Int = defaultSizeLimit,
        depthLimit: Int = defaultDepthLimit
    ) throws(XMLError) -> XMLNode {
        guard bytes.count <= sizeLimit else { throw .tooLarge(size: bytes.count, limit: sizeLimit) }
        guard !bytes.isEmpty else { throw .malformed(line: 1, reason: "empty document") }
        var sawDTD: Int32 = 0
        var line: Int32 = 0
        var message = [CChar](repeating: 0, count: 512)
        let doc = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { base in
                exup_xml_parse_strict(base, Int32(buffer.count), &sawDTD, &line, &message, Int32(message.count))
            }
        }
        if sawDTD != 0 { throw .doctypeNotAllowed }
        guard let doc else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .malformed(line: Int(line), reason: reason.trimmingTrailingNewlines())
        }
        defer { xmlFreeDoc(doc) }
        if let encoding = doc.pointee.encoding {
            let name = String(cString: encoding)
            guard name.uppercased() == "UTF-8" || name.uppercased() == "UTF8" else { throw .notUTF8(encoding: name) }
        }
        guard let root = xmlDocGetRootElement(doc) else { throw .malformed(line: 1, reason: "no root element") }
        return try convert(root, depth: 1, depthLimit: depthLimit)
    }

    private static func convert(_ node: xmlNodePtr, depth: Int, depthLimit: Int) throws(XMLError) -> XMLNode {
        guard depth <= depthLimit else { throw .tooDeep(limit: depthLimit) }
        let name = String(cString: node.pointee.name)
        if node.pointee.ns != nil || node.pointee.nsDef != nil { throw .namespaceNotAllowed(element: name) }
        var result = XMLNode(name: name, line: Int(xmlGetLineNo(node)))
        var attribute = node.pointee.properties
        while let attr = attribute {
            if attr.pointee.ns != nil { throw .namespaceNotAllowed(element: name) }
            let key = String(cString: attr.pointee.name)
            if let value = xmlNodeGetContent(UnsafeMutableRawPointer(attr).assumingMemoryBound(to: xmlNode.self)) {
                result.attributes[key] = String(cString: value)
                exup_xml_free(value)
            } else {
                result.attributes[key] = ""
            }
            attribute = attr.pointee.next
        }
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                result.children.append(try convert(current, depth: depth + 1, depthLimit: depthLimit))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { result.text += String(cString: content) }
            case XML_ENTITY_REF_NODE:
                throw .malformed(line: Int(xmlGetLineNo(current)), reason: "entity references are not allowed")
            default:
                break
            }
            child = current.pointee.next
        }
        return result
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last.isNewline || last == " " { s.removeLast() }
        return String(s)
    }
}
