/// The exit statuses every exup executable uses (the README and each man page carry the same table).
public enum ExitStatus: Int32, Sendable {
    /// Everything asked for succeeded.
    case success = 0
    /// The operation ran and something failed or was refused (an item failed, a package was refused, a
    /// server is unknown, the manager is unreachable, a configuration file is wrong).
    case failure = 1
    /// Partly done: a command that works on several things did some and not others (also an inventory
    /// read without its BMC).
    case partial = 2
    /// A usage error: an unknown option, a missing or invalid argument. Only these print the usage.
    case usage = 64
}
