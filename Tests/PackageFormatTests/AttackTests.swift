import ExupCrypto
import ExupTesting
import ExupZip
import Foundation
import PackageFormat
import Testing

/// One test per rejection rule of package-format.md, each on a package built by hand (HandPackage and
/// HandZip, not exup's builder). Every test asserts the exact rule named in the error.
@Suite struct AttackTests {
    let dir: TemporaryDirectory
    let vendor: TestVendor

    init() throws {
        dir = try TemporaryDirectory()
        vendor = try TestVendor(in: dir)
    }

    var verifier: PackageVerifier {
        PackageVerifier(trustedKeys: try! TrustedKeys.load(directory: vendor.trustDirectory))
    }

    func verify(_ package: HandPackage, limits: ZipLimits = ZipLimits()) throws -> Result<VerifiedPackage, PackageError> {
        let path = try package.write(to: dir, signedWith: vendor.key)
        let verifier = PackageVerifier(trustedKeys: try TrustedKeys.load(directory: vendor.trustDirectory), limits: limits)
        do { return .success(try verifier.verify(path: path)) } catch { return .failure(error) }
    }

    func error(_ package: HandPackage, limits: ZipLimits = ZipLimits()) throws -> String {
        switch try verify(package, limits: limits) {
        case .success: return "accepted"
        case .failure(let error): return error.description
        }
    }

    func genuine() -> HandPackage { HandPackage(info: InfoXML().bytes) }

    // MARK: - The baseline

    @Test("a genuine hand-built package verifies")
    func genuinePackage() throws {
        let result = try verify(genuine())
        let package = try result.get()
        #expect(package.info.id == "bmc-r120h-2.31")
        #expect(package.info.version == "2.31")
        #expect(package.signer == "vendor.pem")
        #expect(!package.info.isIncompatible)
    }

    // MARK: - Tampering (checks 2 and 3: "hash invalid")

    @Test("a flipped byte in a payload file → sha256 mismatch")
    func flippedPayloadByte() throws {
        var p = genuine()
        p.editEntries = { entries in entries[1].data[3] ^= 0x01 }
        #expect(try error(p) == "payload/apply.sh: sha256 mismatch")
        if case .failure(let e) = try verify(p) { #expect(e.isHashInvalid) }
    }

    @Test("a flipped byte in ExUpInfo.xml → sha256 mismatch")
    func flippedInfoByte() throws {
        var p = genuine()
        p.editEntries = { entries in entries[0].data[60] ^= 0x20 }
        #expect(try error(p) == "ExUpInfo.xml: sha256 mismatch")
    }

    @Test("a flipped byte in ExUpHash.xml → no trusted key")
    func flippedManifestByte() throws {
        var p = genuine()
        p.tamperManifestAfterSigning = {
            var m = $0; m[m.count - 20] ^= 0x01; return m
        }
        #expect(try error(p) == "signature: no trusted key")
    }

    @Test("an extra member not in the manifest → not listed")
    func extraMember() throws {
        var p = genuine()
        p.editEntries = { entries in entries.insert(HandZip.Entry("payload/evil.sh", Array("rm -rf /".utf8)), at: 2) }
        #expect(try error(p) == "payload/evil.sh: not listed in ExUpHash.xml")
    }

    @Test("a listed member removed from the archive → listed but missing")
    func missingMember() throws {
        var p = genuine()
        p.editEntries = { entries in entries.remove(at: 1) }
        #expect(try error(p) == "payload/apply.sh: listed in ExUpHash.xml but not in the package")
    }

    @Test("a manifest that omits a file → not listed (ExUpInfo.xml must be listed too)")
    func manifestOmitsInfo() throws {
        var p = genuine()
        p.listed = ["payload/apply.sh"]
        #expect(try error(p) == "ExUpInfo.xml: not listed in ExUpHash.xml")
    }

    @Test("a manifest with the wrong size → size mismatch")
    func wrongSize() throws {
        var p = genuine()
        let info = InfoXML().bytes
        p.manifestOverride = Array(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <ExUpHash schemaVersion="1" algorithm="sha256">
              <File path="ExUpInfo.xml" size="\(info.count + 1)" sha256="\(SHA256Hasher.hash(info).hex)"/>
              <File path="payload/apply.sh" size="17" sha256="\(SHA256Hasher.hash(Array("#!/bin/sh\nexit 0\n".utf8)).hex.uppercased())"/>
            </ExUpHash>
            """.utf8)
        #expect(try error(p) == "ExUpInfo.xml: size mismatch (listed \(info.count + 1), actual \(info.count))")
    }

    @Test("a path listed twice in the manifest is refused")
    func listedTwice() throws {
        var p = genuine()
        p.listed = ["ExUpInfo.xml", "payload/apply.sh", "ExUpInfo.xml"]
        #expect(try error(p) == "ExUpHash.xml: ExUpInfo.xml: listed twice")
    }

    @Test("a manifest with another algorithm is refused")
    func otherAlgorithm() throws {
        var p = genuine()
        p.manifestOverride = Array(String(decoding: p.manifestXML(), as: UTF8.self).replacingOccurrences(of: "sha256\">", with: "md5\">").utf8)
        #expect(try error(p) == "ExUpHash.xml: algorithm must be \"sha256\", not \"md5\"")
    }

    @Test("signed by a key that is not trusted → no trusted key")
    func wrongKey() throws {
        let other = try Ed25519PrivateKey.generate()
        let path = try genuine().write(to: dir, signedWith: other)
        #expect(throws: PackageError.noTrustedKey) { try verifier.verify(path: path) }
    }

    @Test("an empty trust directory trusts nothing")
    func noKeys() throws {
        let path = try genuine().write(to: dir, signedWith: vendor.key)
        let empty = dir.file("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try dir.write("empty/README", "not a key")
        #expect(throws: PackageError.noTrustedKey) { try PackageVerifier(trustedKeys: TrustedKeys.load(directory: empty)).verify(path: path) }
    }

    @Test(
        "malformed signatures are named as such",
        arguments: [
            ("not base64!!", "signature: malformed ExUpHash.sig (not base64)"),
            ("AAAA", "signature: malformed ExUpHash.sig (3 bytes, an Ed25519 signature has 64)"),
            ("", "signature: malformed ExUpHash.sig (0 bytes, an Ed25519 signature has 64)"),
        ])
    func malformedSignature(_ c: (String, String)) throws {
        var p = genuine()
        p.signatureOverride = Array(c.0.utf8)
        #expect(try error(p) == c.1)
    }

    @Test("a signature wrapped over lines with CR, LF, tabs and spaces still verifies")
    func wrappedSignature() throws {
        var p = genuine()
        let signature = Base64.encode(try vendor.key.signature(for: p.manifestXML()))
        let wrapped = signature.prefix(40) + "\r\n\t " + signature.dropFirst(40) + "\n"
        p.signatureOverride = Array(wrapped.utf8)
        #expect(try error(p) == "accepted")
    }

    // MARK: - Archive rules (check 1)

    @Test(
        "member names that are refused",
        arguments: [
            ("/etc/cron.d/evil", "member /etc/cron.d/evil: absolute path not allowed"),
            ("../evil", "member ../evil: path escapes the package"),
            ("payload/../../evil", "member payload/../../evil: path escapes the package"),
            ("payload/./x", "member payload/./x: '.' path segment not allowed"),
            ("payload//x", "member payload//x: empty path segment"),
            ("payload\\x", "member payload\\x: name contains a backslash"),
        ])
    func badNames(_ c: (String, String)) throws {
        var p = genuine()
        p.editEntries = { entries in entries.append(HandZip.Entry(c.0, [1, 2, 3])) }
        #expect(try error(p) == c.1)
    }

    @Test("a NUL byte, invalid UTF-8 and an overlong name are refused")
    func badNameBytes() throws {
        for (raw, reason) in [
            ([UInt8]("a\0b".utf8), "name contains a NUL byte"),
            ([0x61, 0xFF, 0x62], "name is not valid UTF-8"),
            (Array(repeating: UInt8(ascii: "a"), count: 256), "name is 256 bytes, over 255"),
        ] {
            var p = genuine()
            p.editEntries = { entries in entries.append(HandZip.Entry(rawName: raw, [1])) }
            #expect(try error(p).hasSuffix(reason), "\(reason)")
        }
    }

    @Test("a symbolic link member is refused")
    func symlink() throws {
        var p = genuine()
        p.editEntries = { entries in
            var link = HandZip.Entry("payload/link", Array("/etc/shadow".utf8))
            link.unixMode = 0o120777
            entries.append(link)
        }
        #expect(try error(p) == "member payload/link: symbolic link members are not allowed")
    }

    @Test(
        "device, FIFO and socket members are refused",
        arguments: [
            (UInt32(0o020644), "character device"), (0o060644, "block device"), (0o010644, "FIFO"), (0o140644, "socket"),
        ])
    func specialFiles(_ c: (UInt32, String)) throws {
        var p = genuine()
        p.editEntries = { entries in
            var special = HandZip.Entry("payload/dev", [])
            special.unixMode = c.0
            entries.append(special)
        }
        #expect(try error(p) == "member payload/dev: \(c.1) members are not allowed")
    }

    @Test("directory members are allowed and take no part in the manifest")
    func directoryMembers() throws {
        var p = genuine()
        p.editEntries = { entries in entries.insert(HandZip.Entry.directory("payload/"), at: 1) }
        #expect(try error(p) == "accepted")
    }

    @Test("a directory member with content is refused")
    func directoryWithContent() throws {
        var p = genuine()
        p.editEntries = { entries in
            var d = HandZip.Entry.directory("payload/")
            d.data = [1, 2, 3]
            entries.insert(d, at: 1)
        }
        #expect(try error(p) == "member payload/: a directory member must be empty")
    }

    @Test("two members with the same name are refused; names differing in case are not the same")
    func duplicates() throws {
        var p = genuine()
        p.editEntries = { entries in entries.append(HandZip.Entry("payload/apply.sh", [0])) }
        #expect(try error(p) == "member payload/apply.sh: appears twice in the archive")

        var q = HandPackage(info: InfoXML().bytes, payload: [("payload/apply.sh", Array("#!/bin/sh\n".utf8)), ("payload/APPLY.sh", [1])])
        q.editEntries = nil
        #expect(try error(q) == "accepted")
    }

    @Test("an encrypted member is refused")
    func encrypted() throws {
        var p = genuine()
        p.editEntries = { entries in entries[1].flags |= 0x0001 }
        #expect(try error(p) == "member payload/apply.sh: encrypted members are not allowed")
    }

    @Test("compression methods other than stored and deflate are refused", arguments: [UInt16(12), 14, 93, 99])
    func methods(_ method: UInt16) throws {
        var p = genuine()
        p.editEntries = { entries in entries[1].method = method }
        #expect(try error(p) == "member payload/apply.sh: compression method \(method) is not allowed (only stored and deflate)")
    }

    @Test("a member over 1 MiB with a ratio over 200:1 is refused")
    func compressionBomb() throws {
        var p = HandPackage(
            info: InfoXML().bytes,
            payload: [
                ("payload/apply.sh", Array("#!/bin/sh\n".utf8)),
                ("payload/zeros.bin", [UInt8](repeating: 0, count: 4 << 20)),
            ])
        p.editEntries = { entries in entries[2].method = 8 }
        let message = try error(p)
        #expect(message.hasPrefix("member payload/zeros.bin: compression ratio "), "\(message)")
        #expect(message.hasSuffix(":1 exceeds 200:1"))
    }

    @Test("a small member may compress further than 200:1")
    func smallMembersMayCompressWell() throws {
        var p = HandPackage(
            info: InfoXML().bytes,
            payload: [
                ("payload/apply.sh", Array("#!/bin/sh\n".utf8)),
                ("payload/zeros.bin", [UInt8](repeating: 0, count: 1 << 20)),
            ])
        p.editEntries = { entries in entries[2].method = 8 }
        #expect(try error(p) == "accepted")
    }

    @Test("a deflated member that inflates to more than it declares is refused while inflating")
    func lyingSize() throws {
        // Manifest and central directory agree on 1,000 bytes; the deflate stream holds 200,000.
        var p = HandPackage(
            info: InfoXML().bytes,
            payload: [
                ("payload/apply.sh", Array("#!/bin/sh\n".utf8)),
                ("payload/data", [UInt8](repeating: 7, count: 1_000)),
            ])
        p.editEntries = { entries in
            entries[2].data = [UInt8](repeating: 7, count: 200_000)
            entries[2].method = 8
            entries[2].declaredUncompressedSize = 1_000
        }
        #expect(try error(p) == "payload/data: cannot be read (member payload/data: inflates to more than its declared 1000 bytes)")
    }

    @Test("more members than the limit are refused")
    func tooManyMembers() throws {
        var limits = ZipLimits()
        limits.maxMembers = 3
        #expect(try error(genuine(), limits: limits) == "archive has 4 members, over the limit of 3")
    }

    @Test("more uncompressed bytes than the limit are refused")
    func tooManyBytes() throws {
        var limits = ZipLimits()
        limits.maxTotalUncompressed = 500
        #expect(try error(genuine(), limits: limits).hasPrefix("archive expands to "))
    }

    @Test("a local header that disagrees with the central directory is refused")
    func localHeaderMismatch() throws {
        var p = genuine()
        p.editEntries = { entries in entries[1].localName = Array("payload/other.sh".utf8) }
        #expect(try error(p) == "member payload/apply.sh: local header disagrees with the central directory (name)")
        var q = genuine()
        q.editEntries = { entries in entries[1].localMethod = 8 }
        #expect(try error(q) == "member payload/apply.sh: local header disagrees with the central directory (compression method)")
    }

    @Test("a member whose data lies inside another member's data (overlapping members) is refused")
    func overlapping() throws {
        let inner = HandZip.Entry("payload/inner", Array("#!/bin/sh\nexit 0\n".utf8))
        var p = HandPackage(
            info: InfoXML().bytes,
            payload: [
                ("payload/apply.sh", Array("#!/bin/sh\n".utf8)),
                ("payload/outer", Array("prefix".utf8) + HandZip.localRecord(inner) + Array("suffix".utf8)),
            ])
        p.editEntries = { entries in
            var embedded = inner
            embedded.embeddedIn = (index: 2, offset: 6)
            entries.append(embedded)
        }
        #expect(try error(p) == "member payload/inner: its data overlaps member payload/outer")
    }

    @Test("two central records sharing one local header are refused")
    func sharedLocalHeader() throws {
        var p = genuine()
        p.editEntries = { entries in
            var twin = HandZip.Entry("payload/twin.sh", entries[1].data)
            twin.reuseLocalHeaderOf = 1
            entries.append(twin)
        }
        #expect(try error(p) == "member payload/twin.sh: local header disagrees with the central directory (name)")
    }

    @Test("not a ZIP at all, truncated, and data before the archive")
    func notZip() throws {
        let garbage = try dir.write("garbage.zip", Array("this is not a zip file at all".utf8))
        #expect(throws: PackageError.self) { try verifier.verify(path: garbage) }
        let good = try genuine().bytes(signedWith: vendor.key)
        let truncated = try dir.write("truncated.zip", Array(good.prefix(good.count - 10)))
        #expect(throws: PackageError.self) { try verifier.verify(path: truncated) }
    }

    @Test("a missing required member is named")
    func missingRequired() throws {
        var p = genuine()
        p.editEntries = { entries in entries.removeAll { $0.name == Array("ExUpHash.sig".utf8) } }
        #expect(try error(p) == "ExUpHash.sig: required member missing at the archive root")
    }

    // MARK: - Formats accepted

    @Test("deflated members, data descriptors and ZIP64 records are accepted")
    func acceptedFormats() throws {
        var deflated = genuine()
        deflated.editEntries = { entries in for i in entries.indices { entries[i].method = 8 } }
        #expect(try error(deflated) == "accepted")

        var descriptors = genuine()
        descriptors.editEntries = { entries in for i in entries.indices { entries[i].dataDescriptor = true } }
        #expect(try error(descriptors) == "accepted")

        var zip64 = genuine()
        zip64.zip64End = true
        zip64.editEntries = { entries in for i in entries.indices { entries[i].zip64 = true } }
        #expect(try error(zip64) == "accepted")
    }

    // MARK: - The check order decides which error is named

    @Test("archive rules come before the signature, the signature before the hashes")
    func checkOrder() throws {
        var p = genuine()
        p.signatureOverride = Array("AAAA".utf8)
        p.editEntries = { entries in entries.append(HandZip.Entry("../evil", [1])) }
        #expect(try error(p) == "member ../evil: path escapes the package")

        let other = try Ed25519PrivateKey.generate()
        var q = genuine()
        q.editEntries = { entries in entries[1].data[0] ^= 1 }
        let path = try q.write(to: dir, name: "q.zip", signedWith: other)
        #expect(throws: PackageError.noTrustedKey) { try verifier.verify(path: path) }
    }

    // MARK: - XML attacks (check 4, and check 3 for the manifest)

    static let billionLaughs = """
        <!DOCTYPE lolz [
          <!ENTITY lol "lol">
          <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
          <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
          <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
          <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
          <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
          <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
          <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>

        """

    @Test("a signed ExUpInfo.xml with a DOCTYPE and entities (billion laughs) → DTD not allowed")
    func billionLaughsInInfo() throws {
        var info = InfoXML()
        info.prolog = AttackTests.billionLaughs
        info.name = "&lol9;"
        #expect(try error(HandPackage(info: info.bytes)) == "ExUpInfo.xml: DTD not allowed")
    }

    @Test("a signed ExUpInfo.xml with an external entity → DTD not allowed, nothing read")
    func externalEntity() throws {
        var info = InfoXML()
        info.prolog = "<!DOCTYPE x [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
        info.name = "&xxe;"
        #expect(try error(HandPackage(info: info.bytes)) == "ExUpInfo.xml: DTD not allowed")
        var remote = InfoXML()
        remote.prolog = "<!DOCTYPE x SYSTEM \"http://127.0.0.1:1/evil.dtd\">\n"
        #expect(try error(HandPackage(info: remote.bytes)) == "ExUpInfo.xml: DTD not allowed")
    }

    @Test("a signed ExUpHash.xml with a DOCTYPE → DTD not allowed")
    func doctypeInManifest() throws {
        var p = genuine()
        let manifest = String(decoding: p.manifestXML(), as: UTF8.self)
        p.manifestOverride = Array(manifest.replacingOccurrences(of: "?>\n", with: "?>\n" + AttackTests.billionLaughs).utf8)
        #expect(try error(p) == "ExUpHash.xml: DTD not allowed")
    }

    @Test("an ExUpInfo.xml over 1 MiB is refused by size")
    func oversizedInfo() throws {
        var info = InfoXML()
        info.extraBody = "  <Padding>" + String(repeating: "x", count: 1 << 20) + "</Padding>\n"
        let size = info.bytes.count
        #expect(try error(HandPackage(info: info.bytes)) == "ExUpInfo.xml: document is \(size) bytes, over the 1048576-byte limit")
    }

    @Test("a higher schemaVersion is kept and flagged incompatible, not rejected")
    func higherSchemaVersion() throws {
        var info = InfoXML()
        info.schemaVersion = "2"
        info.extraBody = "  <FutureElement mode=\"quantum\"/>\n"
        let package = try verify(HandPackage(info: info.bytes)).get()
        #expect(package.info.isIncompatible)
        #expect(package.info.schemaVersion == 2)
        #expect(package.info.id == "bmc-r120h-2.31")
        #expect(package.info.targets.map(\.model) == ["Express5800/R120h-1M"])
        #expect(!package.info.isAgentApplicable)
    }

    @Test("a higher schemaVersion with a tampered file is still refused")
    func incompatibleButTampered() throws {
        var info = InfoXML()
        info.schemaVersion = "7"
        var p = HandPackage(info: info.bytes)
        p.editEntries = { entries in entries[1].data[0] ^= 1 }
        #expect(try error(p) == "payload/apply.sh: sha256 mismatch")
    }
}
