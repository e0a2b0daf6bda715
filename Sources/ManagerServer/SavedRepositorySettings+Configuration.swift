import ManagerHTTP

extension SavedRepositorySettings {
    /// These settings over the configuration's.
    func apply(to configuration: inout ManagerConfiguration) throws {
        let (schedule, proxy, icon) = try validated()
        configuration.initialStatusIcon = icon
        configuration.upstream?.schedule = schedule
        configuration.upstream?.proxy = proxy
    }
}
