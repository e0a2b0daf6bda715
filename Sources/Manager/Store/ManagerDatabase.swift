import ExupCore

/// The manager's data, whichever engine holds it. Services depend on this and nothing else: it speaks
/// in domain values only (no SQL, no engine type), and every method is async because a networked engine's
/// driver is. Each method is one transaction; a check and the write it allows never span two.
public protocol ManagerDatabase: Sendable {
    // MARK: Agents and credentials

    /// Every active agent's credential (the manager checks credentials from memory on each poll).
    func activeCredentials() async throws -> [AgentCredential]
    func agent(named name: String) async throws -> AgentRecord?
    /// Every agent, without its report (a listing must not decode every inventory).
    func agentListings() async throws -> [AgentListing]
    /// Every agent not revoked, with its report, by name.
    func activeAgents() async throws -> [AgentRecord]
    /// Consumes one use of a token and enrols (or re-enrols) the agent; the token's group gets it as a
    /// member. Refuses an unknown, expired or used-up token and a name taken by an agent not allowed to
    /// re-enrol.
    func enrol(_ enrolment: NewAgent) async throws
    /// False when there is no such agent.
    func revokeAgent(_ name: String) async throws -> Bool
    /// Replaces an active agent's credential; false when there is no such active agent.
    func replaceCredential(of name: String, id: String, hmac: String) async throws -> Bool
    /// Lets a reinstalled server enrol again under its name; false when there is no such agent.
    func allowReenrolment(of name: String) async throws -> Bool

    // MARK: Enrolment tokens

    /// Stores a new token; the group it enrols into must exist.
    func addToken(secretHash: String, expires: Int64, uses: Int, created: Int64, group: String?) async throws
    /// The tokens that can still be used at `now`, oldest first.
    func usableTokens(now: Int64) async throws -> [EnrolmentTokenRecord]
    /// Removes the one token whose hash starts with `prefix`; false when none does, an error when several do.
    func removeToken(hashPrefix prefix: String) async throws -> Bool

    // MARK: Polls and reports

    /// Writes heartbeats collected in memory (a stored time never goes back).
    func recordHeartbeats(_ beats: [String: Int64]) async throws
    /// What a poll needs: the directives version and whether a log bundle is asked for; nil for no agent.
    func pollState(agent name: String) async throws -> PollState?
    /// Stores a report newer than the stored one and moves the agent's items on as it says (an agent
    /// whose own uninstall succeeded is revoked in the same transaction); nil when the manager already
    /// has this sequence (an outbox resend). Many reports share one commit.
    func recordReport(_ report: AgentReport, agent name: String, now: Int64) async throws -> RecordedReport?

    // MARK: Approved items

    func openItems(agent name: String) async throws -> [ApprovalItemRecord]
    func items(agent name: String) async throws -> [ApprovalItemRecord]
    /// Every server's items and hand-set icons, read once for a whole-fleet view.
    func fleetRows() async throws -> FleetRows
    func itemCountsByState() async throws -> [ItemLifecycle: Int]
    /// Reads the agent and its items, asks `plan` what to add, and adds it, in one transaction (so two
    /// approvals at once cannot both pass the same check). `plan` throws to refuse.
    func addItems(
        agent name: String, now: Int64, plan: @Sendable (AgentRecord, [ApprovalItemRecord]) throws -> [NewApprovalItem]
    ) async throws -> [ApprovalItemRecord]
    /// Cancels the agent's items that have not started; returns them and the started ones it left.
    func cancelWaitingItems(agent name: String, now: Int64) async throws -> CancelledItems
    /// How a group's finished items ended since `since`, by state (cancelled items do not count).
    func finishedItemCounts(group: String, since: Int64) async throws -> [ItemLifecycle: Int]

    // MARK: Download-only statuses

    func manualIcons(server: String) async throws -> [String: ManualIcon]
    /// Sets a download-only module's icon; refuses a server that is not active with a report, or a
    /// module its report does not list (checked in the same transaction).
    func setManualIcon(_ icon: ManualIcon, server: String, module: String) async throws

    // MARK: Users and sessions

    func userCount() async throws -> Int
    func user(named name: String) async throws -> UserRecord?
    func users() async throws -> [UserRecord]
    /// False when a user of that name exists.
    func addUser(name: String, role: UserRole, passwordHash: String, created: Int64) async throws -> Bool
    /// Removes a user and their sessions, unless they are the last administrator.
    func removeUser(named name: String) async throws
    /// Sets a password and ends the user's sessions; false when there is no such user.
    func setPasswordHash(_ hash: String, of name: String) async throws -> Bool
    /// The sessions not expired at `now`, with their user's role.
    func openSessions(now: Int64) async throws -> [SessionRecord]
    /// A new session (expired ones go), and the login noted on the user with the notices shown; only
    /// while the user still has the password hash the login was checked against (false otherwise).
    func openSession(_ session: SessionRecord, passwordHash: String, now: Int64, noticesSeen: Int64) async throws -> Bool
    func closeSession(id: String) async throws

    // MARK: Groups and policies

    /// False when a group of that name exists.
    func createGroup(_ name: String, created: Int64) async throws -> Bool
    /// Deletes a group (its servers stay managed); false when there is no such group.
    func deleteGroup(_ name: String) async throws -> Bool
    /// Adds and removes members; an unknown group or server refuses the whole change.
    func changeMembers(of group: String, add: [String], remove: [String]) async throws
    func groupNames() async throws -> [String]
    /// A group's members by name; throws when there is no such group.
    func members(of group: String) async throws -> [String]
    /// Sets (or, with nil, removes) a group's policy and lifts its pause; the canary group must exist.
    func setPolicy(_ policy: GroupPolicy?, of group: String) async throws
    func policy(of group: String) async throws -> GroupPolicy?
    /// Sets whether a group's policy is paused; true when that changed it (so a change is logged once).
    func setPolicyPaused(_ paused: Bool, of group: String) async throws -> Bool

    // MARK: Log bundles

    /// Asks an active agent for its log bundle at its next poll; false when there is no such agent.
    func requestLogBundle(from name: String) async throws -> Bool
    /// Ends the request for an agent's log bundle; false when none was open (so an upload takes the
    /// request it answers in the same step).
    @discardableResult func clearLogBundleRequest(of name: String) async throws -> Bool

    // MARK: Remote batches

    func schedules() async throws -> [ScheduleRecord]
    func dueSchedules(at now: Int64) async throws -> [ScheduleRecord]
    /// Registers a batch waiting to fire; returns its id.
    func addSchedule(_ schedule: NewSchedule) async throws -> Int64
    /// Changes a batch that has not run (what is nil stays).
    func editSchedule(_ id: Int64, startAt: Int64?, allowReboot: Bool?, downloadFirst: Bool?) async throws
    /// Deletes a batch that has not run.
    func deleteSchedule(_ id: Int64) async throws
    /// Marks a waiting batch that is due by `now` running and returns it as it is then; nil when it is no
    /// longer waiting or no longer due (deleted, fired already, or moved later).
    func claimSchedule(_ id: Int64, dueBy now: Int64) async throws -> ScheduleRecord?
    /// Puts a claimed batch back to waiting (a stop came before it approved anything).
    func releaseSchedule(_ id: Int64) async throws
    /// Records how a running batch ended.
    func finishSchedule(_ id: Int64, state: Schedule.State, result: String) async throws

    // MARK: What other manager processes changed

    /// What other manager processes sharing this database changed in what each keeps in memory (agents'
    /// credentials, users' sessions), as they commit; nil when one process alone uses the database.
    func changeFeed() -> AsyncStream<StoreChange>?
    /// An agent's credential as stored now; nil when it is revoked or unknown.
    func activeCredential(of agent: String) async throws -> AgentCredential?
    /// A user's sessions not expired at `now`.
    func openSessions(of user: String, now: Int64) async throws -> [SessionRecord]

    /// Whether this process may run the jobs that must run on one manager at a time (remote batches, group
    /// policies) now: always on the embedded engine (one process); on PostgreSQL, while it holds the jobs'
    /// advisory lock.
    func holdsJobLock() async -> Bool

    // MARK: Administration

    /// A consistent copy of the whole database at `path` (writers may go on).
    func backup(to path: String) async throws

    /// Throws unless the database answers a query now (readiness for load balancers).
    func checkReachable() async throws
}
