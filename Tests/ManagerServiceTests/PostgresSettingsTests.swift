import ExupTesting
import Foundation
import ManagerPostgres
import Testing

/// `[database] url` as an operator writes it: the parts, percent-escapes, where the password comes from,
/// and TLS that verifies unless the database is on this host.
@Suite struct PostgresSettingsTests {
    @Test("a url's parts; TLS verifies a remote host and is off on loopback unless asked; escapes decode")
    func parts() throws {
        let remote = try PostgresSettings(url: "postgresql://exup@db.example/exup")
        #expect(remote.host == "db.example" && remote.port == 5432 && remote.username == "exup" && remote.database == "exup")
        #expect(remote.tls == .verifyFull && remote.password == nil)
        let local = try PostgresSettings(url: "postgres://exup:p%40ss%3Aword@127.0.0.1:6543/fleet")
        #expect(local.tls == .disable && local.port == 6543 && local.password == "p@ss:word")
        #expect(local.displayURL == "postgresql://exup@127.0.0.1:6543/fleet", "never the password")
        let asked = try PostgresSettings(url: "postgresql://exup@[::1]:5433/exup?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(asked.host == "::1" && asked.port == 5433 && asked.tls == .verifyFull && asked.caFile == "/etc/ca.pem")
        #expect(try PostgresSettings(url: "postgresql://exup:url@db/exup", password: "file").password == "file", "the configured password wins")
        #expect(try PostgresSettings(url: "postgresql://exup@127.evil.example/exup").tls == .verifyFull, "a name is not a loopback address")
    }

    @Test(
        "what is not a usable url is refused with the reason",
        arguments: [
            ("mysql://exup@db/exup", "postgresql://"), ("postgresql://db/exup", "no user"), ("postgresql://exup@db", "no database"),
            ("postgresql://exup@db:99999/exup", "port"), ("postgresql://exup@db/exup?sslmode=prefer", "sslmode=prefer"),
            ("postgresql://exup@db/exup?application_name=x", "unknown parameter"), ("postgresql://exup:%zz@db/exup", "hex"),
        ])
    func refused(_ url: String, _ reason: String) {
        #expect {
            _ = try PostgresSettings(url: url)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test("libpq's password file: the first line whose host, port, database and user match (with * and escapes)")
    func passFile() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write(
            ".pgpass",
            """
            # comment
            other:5432:exup:exup:wrong
            db.example:5432:exup:exup:pa\\:ss
            *:*:*:exup:fallback
            """, mode: 0o600)
        #expect(try PostgresSettings(url: "postgresql://exup@db.example/exup", environment: ["PGPASSFILE": file]).password == "pa:ss")
        #expect(try PostgresSettings(url: "postgresql://exup@elsewhere/fleet", environment: ["HOME": dir.path]).password == "fallback")
        #expect(try PostgresSettings(url: "postgresql://admin@db.example/exup", environment: ["PGPASSFILE": file]).password == nil)
        chmod(file, 0o644)
        #expect(
            try PostgresSettings(url: "postgresql://exup@db.example/exup", environment: ["PGPASSFILE": file]).password == nil,
            "a password file others can read is not used (as libpq)")
    }
}
