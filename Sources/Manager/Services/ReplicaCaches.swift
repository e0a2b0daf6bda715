/// Keeps this manager's in-memory credentials and sessions true to the database when other manager
/// processes share it: each change another replica commits (or a reconnect after which changes may have
/// been missed) is read again from the store, inside the same serial gates the local changes take (the
/// read as well as the cache update), so a reload can never put back what a local write just removed. Nothing to do on the embedded engine (one process).
extension ManagerService {
    func followStoreChanges() {
        guard let feed = store.changeFeed() else { return }
        Task { [enrolment, users] in
            for await change in feed {
                do {
                    switch change {
                    case .agent(let name): try await enrolment.reloadCredential(of: name)
                    case .user(let name): try await users.reloadSessions(of: name)
                    case .everything:
                        try await enrolment.reloadAllCredentials()
                        try await users.reloadAllSessions()
                    }
                } catch {
                    // The next change, or the next reconnect's full reload, tries again; until then this
                    // replica refuses what it cannot confirm rather than trusting a stale entry.
                    switch change {
                    case .agent(let name): await enrolment.changes.run { enrolment.replaceCached(name, with: nil) }
                    case .user(let name): await users.changes.run { users.replaceCached(name, with: []) }
                    case .everything:
                        // Changes may have been missed and cannot be read: trust nothing until the next
                        // reconnect reads everything again.
                        await enrolment.changes.run { enrolment.replaceAllCached([]) }
                        await users.changes.run { users.replaceAllCached([]) }
                    }
                }
            }
        }
    }
}

extension EnrolmentService {
    /// The agent's credential as the store has it now (gone when revoked).
    func reloadCredential(of name: String) async throws {
        try await changes.run { replaceCached(name, with: try await store.activeCredential(of: name)) }
    }

    func reloadAllCredentials() async throws {
        try await changes.run { replaceAllCached(try await store.activeCredentials()) }
    }
}

extension UserService {
    func reloadSessions(of user: String) async throws {
        try await changes.run { replaceCached(user, with: try await store.openSessions(of: user, now: context.clock())) }
    }

    func reloadAllSessions() async throws {
        try await changes.run { replaceAllCached(try await store.openSessions(now: context.clock())) }
    }
}
