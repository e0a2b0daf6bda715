internal import CZlib

/// Raw-deflate decompression of one member through zlib, with its declared size enforced both ways:
/// a stream that inflates to more (a bomb lying about its size) or less than declared is refused.
enum Inflater {
    static func stream(
        _ member: ZipMember, from file: ReadOnlyFile, output: UnsafeMutableRawBufferPointer,
        into body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var z = z_stream()
        guard exup_inflate_init_raw(&z) == Z_OK else {
            throw ZipError.corruptData(member: member.name, reason: "inflateInit2 failed")
        }
        defer { inflateEnd(&z) }
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 64)
        defer { input.deallocate() }
        var inputOffset = member.dataOffset
        var inputLeft = member.compressedSize
        var produced: UInt64 = 0
        var finished = false
        while !finished {
            if z.avail_in == 0 && inputLeft > 0 {
                let want = Int(min(UInt64(input.count), inputLeft))
                let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: input[0..<want]), at: inputOffset)
                guard n == want else { throw ZipError.outOfBounds(member: member.name) }
                inputOffset += UInt64(n)
                inputLeft -= UInt64(n)
                z.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                z.avail_in = uInt(n)
            }
            z.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            z.avail_out = uInt(output.count)
            let status = inflate(&z, Z_NO_FLUSH)
            let count = output.count - Int(z.avail_out)
            switch status {
            case Z_STREAM_END: finished = true
            case Z_OK: break
            case Z_BUF_ERROR where count > 0: break
            case Z_BUF_ERROR:
                throw ZipError.corruptData(member: member.name, reason: "deflate stream ends before its end marker")
            default:
                let reason = z.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw ZipError.corruptData(member: member.name, reason: "bad deflate data: \(reason)")
            }
            produced += UInt64(count)
            guard produced <= member.uncompressedSize else {
                throw ZipError.corruptData(member: member.name, reason: "inflates to more than its declared \(member.uncompressedSize) bytes")
            }
            if count > 0 { try body(UnsafeRawBufferPointer(rebasing: output[0..<count])) }
        }
        guard produced == member.uncompressedSize else {
            throw ZipError.corruptData(member: member.name, reason: "inflates to \(produced) bytes, not the declared \(member.uncompressedSize)")
        }
        guard z.avail_in == 0, inputLeft == 0 else {
            throw ZipError.corruptData(member: member.name, reason: "data after the end of the deflate stream")
        }
    }
}

/// CRC-32 as ZIP uses it (zlib's implementation).
public struct CRC32 {
    public private(set) var value: UInt32 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        var current = uLong(value)
        while offset < bytes.count {
            let n = min(bytes.count - offset, Int(UInt32.max >> 1))
            current = crc32(current, (base + offset).assumingMemoryBound(to: Bytef.self), uInt(n))
            offset += n
        }
        value = UInt32(truncatingIfNeeded: current)
    }
}

/// Raw deflate of a whole buffer (small members when building packages).
public enum Deflate {
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8]? {
        var z = z_stream()
        guard exup_deflate_init_raw(&z, level) == Z_OK else { return nil }
        defer { deflateEnd(&z) }
        let bound = Int(deflateBound(&z, uLong(bytes.count)))
        var out = [UInt8](repeating: 0, count: bound)
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                z.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                z.avail_in = uInt(input.count)
                z.next_out = output.baseAddress
                z.avail_out = uInt(output.count)
                return deflate(&z, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        out.removeLast(out.count - Int(z.total_out))
        return out
    }
}
