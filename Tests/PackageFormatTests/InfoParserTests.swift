import ExupCore
import ExupTesting
import PackageFormat
import Testing

/// package-format.md "ExUpInfo.xml": every field rule.
@Suite struct InfoParserTests {
    func parse(_ info: InfoXML) -> Result<PackageInfo, PackageError> {
        Result { () throws(PackageError) in try InfoParser.parse(info.bytes) }
    }

    func message(_ info: InfoXML) -> String {
        switch parse(info) {
        case .success: "accepted"
        case .failure(let e): e.description
        }
    }

    @Test("the example of the format page reads with every field")
    func example() throws {
        var info = InfoXML()
        info.targets = [("Express5800/R120h-1M", "linux"), ("Express5800/R120h-2M", "rhel:9")]
        info.rebootRequired = "true"
        info.uninstallCommand = "payload/uninstall.sh"
        let p = try parse(info).get()
        #expect(p.id == "bmc-r120h-2.31" && p.moduleID == "bmc-firmware" && p.version == "2.31")
        #expect(p.releaseDate == CalendarDate("2026-03-01"))
        #expect(
            p.targets == [
                PackageTarget(model: "Express5800/R120h-1M", os: .anyLinux),
                PackageTarget(model: "Express5800/R120h-2M", os: .idVersion(id: "rhel", versionPrefix: "9")),
            ])
        #expect(p.autoUpdate && p.rebootRequired && !p.downgrade)
        #expect(p.apply == PackageInfo.Command(path: "payload/apply.sh", timeoutSeconds: 600))
        #expect(p.uninstall?.path == "payload/uninstall.sh")
        #expect(p.isMultiModel)
    }

    @Test(
        "field rules",
        arguments: [
            ({ @Sendable (i: inout InfoXML) in i.id = "bad id" }, "ExUpInfo.xml: Package/@id \"bad id\" must match [A-Za-z0-9._+-]{1,128}"),
            (
                { @Sendable (i: inout InfoXML) in i.releaseDate = "2026-02-30" },
                "ExUpInfo.xml: Package/@releaseDate \"2026-02-30\" must be a YYYY-MM-DD date"
            ),
            ({ @Sendable (i: inout InfoXML) in i.version = "   " }, "ExUpInfo.xml: <Version> is empty"),
            ({ @Sendable (i: inout InfoXML) in i.targets = [] }, "ExUpInfo.xml: <Targets> names no <Target>"),
            (
                { @Sendable (i: inout InfoXML) in i.targets = [("R120h", "windows 2008")] },
                "ExUpInfo.xml: line 7: Target/@os \"windows 2008\" is not linux, bmc, offline, ID or ID:VERSION_ID"
            ),
            ({ @Sendable (i: inout InfoXML) in i.autoUpdate = "yes" }, "ExUpInfo.xml: Install/@autoUpdate must be true or false, not \"yes\""),
            (
                { @Sendable (i: inout InfoXML) in i.rebootRequired = "TRUE" },
                "ExUpInfo.xml: Install/@rebootRequired must be true or false, not \"TRUE\""
            ),
            ({ @Sendable (i: inout InfoXML) in i.applyCommand = nil }, "ExUpInfo.xml: <Apply command=…> is required when autoUpdate is true"),
            ({ @Sendable (i: inout InfoXML) in i.schemaVersion = "one" }, "ExUpInfo.xml: schemaVersion must be a positive integer"),
            ({ @Sendable (i: inout InfoXML) in i.extraBody = "  <Version>3</Version>\n" }, "ExUpInfo.xml: <Version> appears 2 times"),
            ({ @Sendable (i: inout InfoXML) in i.module = "" }, "ExUpInfo.xml: Module/@id is missing"),
        ] as [(@Sendable (inout InfoXML) -> Void, String)])
    func fieldRules(_ c: (@Sendable (inout InfoXML) -> Void, String)) {
        var info = InfoXML()
        c.0(&info)
        #expect(message(info) == c.1)
    }

    @Test("a download-only package needs no Apply command")
    func downloadOnly() throws {
        var info = InfoXML()
        info.autoUpdate = "false"
        info.applyCommand = nil
        let p = try parse(info).get()
        #expect(!p.autoUpdate && p.apply == nil && !p.isAgentApplicable)
    }

    @Test("Version is trimmed; unknown elements and attributes are ignored; a BOM is allowed")
    func lenientWhereAllowed() throws {
        var info = InfoXML()
        info.version = "\n   2.31  \t"
        info.extraBody = "  <Future attr=\"x\"><Nested/></Future>\n"
        #expect(try parse(info).get().version == "2.31")
        let withBOM = [0xEF, 0xBB, 0xBF] + InfoXML().bytes
        #expect(throws: Never.self) { try InfoParser.parse(withBOM) }
    }

    @Test("namespaces, other encodings and malformed XML are refused with the reason")
    func refusedDocuments() {
        let namespaced = Array("<?xml version=\"1.0\"?><ExUpInfo xmlns=\"urn:x\" schemaVersion=\"1\"/>".utf8)
        #expect(throws: PackageError.infoInvalid("namespaces are not allowed (element ExUpInfo)")) { try InfoParser.parse(namespaced) }
        let latin1 = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><ExUpInfo schemaVersion=\"1\"/>".utf8)
        #expect(throws: PackageError.infoInvalid("document encoding ISO-8859-1 is not UTF-8")) { try InfoParser.parse(latin1) }
        for broken in ["<a>", "<a><b></a>", "", "<ExUpInfo schemaVersion=\"1\">&nbsp;</ExUpInfo>", "<a/><b/>"] {
            #expect(throws: PackageError.self, "\(broken)") { try InfoParser.parse(Array(broken.utf8)) }
        }
    }

    @Test("absurd nesting is refused")
    func deepNesting() {
        let deep =
            "<?xml version=\"1.0\"?><ExUpInfo schemaVersion=\"1\">" + String(repeating: "<a>", count: 100)
            + String(repeating: "</a>", count: 100) + "</ExUpInfo>"
        #expect(throws: PackageError.infoInvalid("elements nested deeper than 64")) { try InfoParser.parse(Array(deep.utf8)) }
    }
}
