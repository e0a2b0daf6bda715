import ExupCore
import ExupXML

/// Reads `ExUpInfo.xml` into `PackageInfo` with every field rule of package-format.md.
public enum InfoParser {
    /// A package whose schemaVersion is newer than this build reads is returned with
    /// `isIncompatible` set and only what can be read (id, name, targets), never an error.
    public static func parse(_ bytes: [UInt8]) throws(PackageError) -> PackageInfo {
        let root: XMLNode
        do { root = try StrictXMLParser.parse(bytes) } catch { throw .infoInvalid(error.description) }
        guard root.name == "ExUpInfo" else { throw .infoInvalid("root element is <\(root.name)>, not <ExUpInfo>") }
        guard let schemaText = root.attributes["schemaVersion"], let schema = Int(schemaText), schema >= 1 else {
            throw .infoInvalid("schemaVersion must be a positive integer")
        }
        if schema > PackageInfo.supportedSchemaVersion { return readIncompatible(root, schemaVersion: schema) }
        return try readCompatible(root)
    }

    private static func single(_ root: XMLNode, _ name: String) throws(PackageError) -> XMLNode {
        let found = root.children(named: name)
        guard let first = found.first else { throw .infoInvalid("<\(name)> is missing") }
        guard found.count == 1 else { throw .infoInvalid("<\(name)> appears \(found.count) times") }
        return first
    }

    private static func readCompatible(_ root: XMLNode) throws(PackageError) -> PackageInfo {
        let package = try single(root, "Package")
        guard let id = package.attributes["id"], PackageInfo.isValidID(id) else {
            throw .infoInvalid("Package/@id \"\(package.attributes["id"] ?? "")\" must match [A-Za-z0-9._+-]{1,128}")
        }
        let name = package.attributes["name"] ?? id
        guard let dateText = package.attributes["releaseDate"], let releaseDate = CalendarDate(dateText) else {
            throw .infoInvalid("Package/@releaseDate \"\(package.attributes["releaseDate"] ?? "")\" must be a YYYY-MM-DD date")
        }
        let module = try single(root, "Module")
        guard let moduleID = module.attributes["id"], !moduleID.isEmpty else { throw .infoInvalid("Module/@id is missing") }
        let version = try single(root, "Version").text.trimmedXMLWhitespace()
        guard !version.isEmpty else { throw .infoInvalid("<Version> is empty") }
        let targets = try single(root, "Targets").children(named: "Target")
        guard !targets.isEmpty else { throw .infoInvalid("<Targets> names no <Target>") }
        var parsedTargets: [PackageTarget] = []
        for target in targets {
            guard let model = target.attributes["model"], !model.isEmpty else {
                throw .infoInvalid("line \(target.line): Target/@model is missing")
            }
            guard let osText = target.attributes["os"], let os = OSRule(osText) else {
                throw .infoInvalid(
                    "line \(target.line): Target/@os \"\(target.attributes["os"] ?? "")\" is not linux, bmc, offline, ID or ID:VERSION_ID")
            }
            parsedTargets.append(PackageTarget(model: model, os: os))
        }
        let install = root.children(named: "Install")
        guard install.count <= 1 else { throw .infoInvalid("<Install> appears \(install.count) times") }
        let installNode = install.first ?? XMLNode(name: "Install")
        let autoUpdate = try boolean(installNode, "autoUpdate", default: true)
        let rebootRequired = try boolean(installNode, "rebootRequired", default: false)
        let downgrade = try boolean(installNode, "downgrade", default: false)
        let apply = try command(installNode, "Apply")
        let uninstall = try command(installNode, "Uninstall")
        if autoUpdate && apply == nil { throw .infoInvalid("<Apply command=…> is required when autoUpdate is true") }
        let description = root.child(named: "Description")?.text.trimmedXMLWhitespace() ?? ""
        return PackageInfo(
            id: id, name: name, releaseDate: releaseDate, moduleID: moduleID,
            moduleName: module.attributes["name"] ?? moduleID, version: version, targets: parsedTargets,
            autoUpdate: autoUpdate, rebootRequired: rebootRequired, downgrade: downgrade,
            apply: apply, uninstall: uninstall, description: description)
    }

    private static func boolean(_ node: XMLNode, _ attribute: String, default value: Bool) throws(PackageError) -> Bool {
        switch node.attributes[attribute] {
        case nil: return value
        case "true": return true
        case "false": return false
        case let other?: throw .infoInvalid("\(node.name)/@\(attribute) must be true or false, not \"\(other)\"")
        }
    }

    private static func command(_ install: XMLNode, _ name: String) throws(PackageError) -> PackageInfo.Command? {
        let nodes = install.children(named: name)
        guard let node = nodes.first else { return nil }
        guard nodes.count == 1 else { throw .infoInvalid("<\(name)> appears \(nodes.count) times") }
        guard let path = node.attributes["command"], !path.isEmpty else { throw .infoInvalid("\(name)/@command is missing") }
        var timeout = PackageInfo.Command.defaultTimeoutSeconds
        if let text = node.attributes["timeoutSeconds"] {
            guard let value = Int(text), value > 0 else {
                throw .infoInvalid("\(name)/@timeoutSeconds must be a positive integer, not \"\(text)\"")
            }
            timeout = value
        }
        let reboot = name == "Uninstall" ? try boolean(node, "rebootRequired", default: false) : false
        return PackageInfo.Command(path: path, timeoutSeconds: timeout, rebootRequired: reboot)
    }

    /// Best effort for a newer schema: what is needed to list it and to mark its servers "unknown".
    private static func readIncompatible(_ root: XMLNode, schemaVersion: Int) -> PackageInfo {
        let package = root.child(named: "Package")
        let id = package?.attributes["id"].flatMap { PackageInfo.isValidID($0) ? $0 : nil } ?? "unknown"
        let targets =
            root.child(named: "Targets")?.children(named: "Target").compactMap { t -> PackageTarget? in
                guard let model = t.attributes["model"], let os = t.attributes["os"].flatMap(OSRule.init) else { return nil }
                return PackageTarget(model: model, os: os)
            } ?? []
        let module = root.child(named: "Module")
        return PackageInfo(
            schemaVersion: schemaVersion, id: id, name: package?.attributes["name"] ?? id,
            releaseDate: package?.attributes["releaseDate"].flatMap(CalendarDate.init) ?? CalendarDate("1970-01-01")!,
            moduleID: module?.attributes["id"] ?? "", moduleName: module?.attributes["name"] ?? "",
            version: root.child(named: "Version")?.text.trimmedXMLWhitespace() ?? "",
            targets: targets, autoUpdate: false, apply: nil,
            description: root.child(named: "Description")?.text.trimmedXMLWhitespace() ?? "")
    }
}

extension String {
    /// Trims XML whitespace (space, tab, CR, LF) at both ends.
    func trimmedXMLWhitespace() -> String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        return String(scalars)
    }
}
