import PostgresNIO

/// The manager's tables on PostgreSQL: the same tables and columns as on SQLite (so a copy from one to
/// the other is column for column), integers as BIGINT, JSON values as the same sorted-key text.
/// Migrations are named and only appended; each runs once, in one transaction, under an advisory lock
/// every replica takes before migrating.
enum PostgresSchema {
    /// The advisory lock's key for migrations (any fixed number the replicas agree on: "exup" in ASCII).
    static let migrationLock: Int64 = 0x6578_7570_0001

    static let migrations: [(name: String, statements: [String])] = [
        (
            "2026-12-08 manager",
            [
                """
                CREATE TABLE enrolment_token (secret_hash TEXT PRIMARY KEY, expires BIGINT NOT NULL, uses_left BIGINT NOT NULL,
                    created BIGINT NOT NULL, group_name TEXT)
                """,
                """
                CREATE TABLE agent (name TEXT PRIMARY KEY, credential_id TEXT NOT NULL UNIQUE, credential_hmac TEXT NOT NULL,
                    enrolled_at BIGINT NOT NULL, revoked BOOLEAN NOT NULL DEFAULT FALSE, allow_reenrolment BOOLEAN NOT NULL DEFAULT FALSE,
                    last_seen BIGINT NOT NULL, report TEXT, report_sequence BIGINT NOT NULL DEFAULT 0,
                    directives_version BIGINT NOT NULL DEFAULT 1, upload_logs BOOLEAN NOT NULL DEFAULT FALSE)
                """,
                """
                CREATE TABLE approval_item (id BIGSERIAL PRIMARY KEY, agent TEXT NOT NULL, kind TEXT NOT NULL, module TEXT NOT NULL,
                    package_id TEXT, version TEXT, latest_at_run_time BOOLEAN NOT NULL, options TEXT NOT NULL, state TEXT NOT NULL,
                    message TEXT, percent BIGINT, created BIGINT NOT NULL, updated BIGINT NOT NULL,
                    report_sequence BIGINT NOT NULL DEFAULT 0)
                """,
                "CREATE INDEX approval_item_agent ON approval_item (agent)",
                """
                CREATE TABLE "user" (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created BIGINT NOT NULL,
                    last_login BIGINT, notices_seen BIGINT NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE session (id TEXT PRIMARY KEY, hmac TEXT NOT NULL, "user" TEXT NOT NULL, created BIGINT NOT NULL,
                    expires BIGINT NOT NULL)
                """,
                #"CREATE INDEX session_by_user ON session ("user")"#,
                """
                CREATE TABLE server_group (name TEXT PRIMARY KEY, created BIGINT NOT NULL, policy TEXT,
                    policy_paused BOOLEAN NOT NULL DEFAULT FALSE)
                """,
                """
                CREATE TABLE group_member (group_name TEXT NOT NULL REFERENCES server_group (name) ON DELETE CASCADE,
                    server TEXT NOT NULL, PRIMARY KEY (group_name, server))
                """,
                "CREATE INDEX group_member_server ON group_member (server)",
                """
                CREATE TABLE schedule (id BIGSERIAL PRIMARY KEY, target_kind TEXT NOT NULL, target TEXT NOT NULL,
                    start_at BIGINT NOT NULL, allow_reboot BOOLEAN NOT NULL, download_first BOOLEAN NOT NULL, state TEXT NOT NULL,
                    created_by TEXT NOT NULL, created BIGINT NOT NULL, result TEXT)
                """,
                "CREATE INDEX schedule_start_at ON schedule (start_at)",
                """
                CREATE TABLE manual_status (server TEXT NOT NULL, module TEXT NOT NULL, icon TEXT NOT NULL,
                    PRIMARY KEY (server, module))
                """,
            ]
        )
    ]

    /// Applies, in order, every migration the database has not recorded, under the advisory lock.
    static func migrate(_ store: PostgresManagerStore) async throws {
        try await store.client.withConnection { connection in
            try await connection.query("BEGIN", logger: store.logger)
            do {
                try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: store.logger)
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS exup_migration (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                    logger: store.logger)
                var applied = Set<String>()
                for try await (name) in try await connection.query("SELECT name FROM exup_migration", logger: store.logger).decode(String.self) {
                    applied.insert(name)
                }
                for migration in migrations where !applied.contains(migration.name) {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: store.logger)
                    }
                    try await connection.query("INSERT INTO exup_migration (name) VALUES (\(migration.name))", logger: store.logger)
                }
                try await connection.query("COMMIT", logger: store.logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: store.logger)
                throw error
            }
        }
    }
}
