import GRDB

/// Groups of servers and their members: each check-and-write is one transaction.
extension ManagerStore {
    /// False when a group of that name exists.
    func createGroup(_ name: String, created: Int64) throws -> Bool {
        try write { db -> Bool in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM server_group WHERE name = ?", arguments: [name]) == nil else { return false }
            try db.execute(sql: "INSERT INTO server_group (name, created) VALUES (?, ?)", arguments: [name, created])
            return true
        }
    }

    /// Deletes a group (its servers stay managed); false when there is no such group.
    func deleteGroup(_ name: String) throws -> Bool {
        try write { db -> Bool in
            try db.execute(sql: "DELETE FROM group_member WHERE group_name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM server_group WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    /// Adds and removes members; an unknown group or server refuses the whole change.
    func changeMembers(of group: String, add: [String], remove: [String]) throws {
        try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM server_group WHERE name = ?", arguments: [group]) != nil else {
                throw ManagerError.notFound("no group \(group)")
            }
            for server in add {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM agent WHERE name = ? AND revoked = 0", arguments: [server]) != nil else {
                    throw ManagerError.notFound("no server \(server)")
                }
                try db.execute(sql: "INSERT OR IGNORE INTO group_member (group_name, server) VALUES (?, ?)", arguments: [group, server])
            }
            for server in remove {
                try db.execute(sql: "DELETE FROM group_member WHERE group_name = ? AND server = ?", arguments: [group, server])
            }
        }
    }

    func groupNames() throws -> [String] { try read { db in try String.fetchAll(db, sql: "SELECT name FROM server_group ORDER BY name") } }

    /// A group's members by name; throws when there is no such group.
    func members(of group: String) throws -> [String] {
        try read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM server_group WHERE name = ?", arguments: [group]) != nil else {
                throw ManagerError.notFound("no group \(group)")
            }
            return try String.fetchAll(db, sql: "SELECT server FROM group_member WHERE group_name = ? ORDER BY server", arguments: [group])
        }
    }
}
