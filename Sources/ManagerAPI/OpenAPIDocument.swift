import ExupFormats
import ManagerHTTP
import TUF

/// The manager's API as an OpenAPI 3.0 document (`GET /api/v1/openapi.json`). Every operation lists every
/// answer it can give, errors included; a test checks that every route the server registers is here.
enum OpenAPIDocument {
    enum Access { case none, administrator, agent, reader }

    struct Operation {
        var method: String
        var path: String
        var summary: String
        var access: Access
        var body: JSON? = nil
        var ok: (code: String, description: String, schema: JSON?)
        var errors: [String: String] = [:]
    }

    static func ref(_ name: String) -> JSON { .object(["$ref": .string("#/components/schemas/\(name)")]) }
    static func array(_ items: JSON) -> JSON { .object(["type": "array", "items": items]) }
    static let binary: JSON = .object(["type": "string", "format": "binary"])
    static let anyObject: JSON = .object(["type": "object"])

    static let operations: [Operation] = [
        Operation(
            method: "get", path: "/healthz", summary: "Liveness: answers ok.", access: .none,
            ok: ("200", "The server is up.", .object(["type": "string"]))),
        Operation(
            method: "get", path: "/api/v1/openapi.json", summary: "This document.", access: .none, ok: ("200", "OpenAPI 3 document.", anyObject)),

        // Enrolment and the agent's channel.
        Operation(
            method: "post", path: "/api/v1/enrol", summary: "Enrol an agent with a token; returns its own credential and the root.json to pin.",
            access: .none, body: ref("EnrolmentRequest"), ok: ("201", "Enrolled.", ref("EnrolmentResponse")),
            errors: ["401": "Unknown, expired or used-up token.", "409": "The name is taken and re-enrolment is not allowed."]),
        Operation(
            method: "get", path: "/api/v1/agent/directives", summary: "The poll and heartbeat: what the agent must do. Conditional on If-None-Match.",
            access: .agent, ok: ("200", "The directives, with an ETag.", ref("Directives")),
            errors: ["304": "Unchanged since the ETag presented.", "404": "The agent is unknown."]),
        Operation(
            method: "post", path: "/api/v1/agent/report",
            summary: "The agent's report (only when something changed). A known sequence changes nothing.",
            access: .agent, body: ref("AgentReport"), ok: ("200", "accepted, or duplicate for a resend.", ref("ReportOutcome")),
            errors: ["404": "The agent is unknown."]),
        Operation(
            method: "post", path: "/api/v1/agent/logs", summary: "Upload the requested log bundle (tar.gz, at most 256 MiB).",
            access: .agent, body: binary, ok: ("201", "Stored.", anyObject), errors: ["409": "No bundle was requested."]),
        Operation(
            method: "post", path: "/api/v1/agent/logs/failed", summary: "Say why the requested bundle cannot be sent.",
            access: .agent, body: .object(["type": "object", "properties": .object(["reason": .object(["type": "string"])])]),
            ok: ("200", "Recorded in the application log.", anyObject)),

        // Agents.
        Operation(
            method: "post", path: "/api/v1/agents/tokens", summary: "Create an enrolment token (single use, 24 h by default).",
            access: .administrator,
            body: .object([
                "type": "object",
                "properties": .object([
                    "expiresInSeconds": .object(["type": "integer"]), "uses": .object(["type": "integer"]),
                    "group": .object(["type": "string"]),
                ]),
            ]),
            ok: ("201", "The token.", .object(["type": "object", "properties": .object(["token": .object(["type": "string"])])]))),
        Operation(
            method: "get", path: "/api/v1/agents/tokens", summary: "Enrolment tokens that can still be used (ids, never secrets).",
            access: .administrator,
            ok: (
                "200", "Tokens.",
                .object([
                    "type": "array",
                    "items": .object([
                        "type": "object",
                        "properties": .object([
                            "id": .object(["type": "string"]), "created": .object(["type": "string", "format": "date-time"]),
                            "expires": .object(["type": "string", "format": "date-time"]), "usesLeft": .object(["type": "integer"]),
                            "group": .object(["type": "string"]),
                        ]),
                    ]),
                ])
            )),
        Operation(
            method: "delete", path: "/api/v1/agents/tokens/{id}", summary: "Revoke an enrolment token (by the id the list shows).",
            access: .administrator, ok: ("200", "Revoked.", anyObject), errors: ["404": "No such token."]),
        Operation(
            method: "get", path: "/api/v1/agents", summary: "Enrolled agents.", access: .administrator,
            ok: ("200", "Agents.", array(ref("AgentSummary")))),
        Operation(
            method: "post", path: "/api/v1/agents/{name}/revoke", summary: "Revoke an agent's credential at once.", access: .administrator,
            ok: ("200", "Revoked.", anyObject), errors: ["404": "No such agent."]),
        Operation(
            method: "post", path: "/api/v1/agents/{name}/rotate", summary: "Issue a new credential; the old one stops working.",
            access: .administrator,
            ok: ("200", "The new credential.", anyObject), errors: ["404": "No such active agent."]),
        Operation(
            method: "post", path: "/api/v1/agents/{name}/allow-reenrolment", summary: "Let a reinstalled server enrol again under its name.",
            access: .administrator, ok: ("200", "Allowed.", anyObject), errors: ["404": "No such agent."]),

        // Servers.
        Operation(
            method: "get", path: "/api/v1/servers", summary: "Every server with its status (Table 10).", access: .administrator,
            ok: ("200", "Servers.", array(ref("ServerSummary")))),
        Operation(
            method: "get", path: "/api/v1/servers/{name}", summary: "A server's modules, statuses (Table 8) and run.", access: .administrator,
            ok: ("200", "The server.", ref("ServerDetail")), errors: ["404": "No such server."]),
        Operation(
            method: "post", path: "/api/v1/servers/{name}/approve", summary: "Approve updates; one refused pick refuses the whole approval.",
            access: .administrator, body: ref("Approval"), ok: ("201", "The approved items.", array(ref("RunItem"))),
            errors: ["404": "No such server.", "409": "Refused: each module and why, or no report yet, or nothing to approve."]),
        Operation(
            method: "post", path: "/api/v1/servers/{name}/cancel", summary: "Cancel approved items not started; started ones are refused.",
            access: .administrator, ok: ("200", "What was cancelled and what was not.", ref("CancelOutcome")), errors: ["404": "No such server."]),
        Operation(
            method: "post", path: "/api/v1/servers/{name}/uninstall", summary: "Uninstall a module whose package has an Uninstall program.",
            access: .administrator,
            body: .object([
                "type": "object", "required": ["module"],
                "properties": .object(["module": .object(["type": "string"]), "allowReboot": .object(["type": "boolean"])]),
            ]),
            ok: ("201", "The queued item.", ref("RunItem")), errors: ["404": "No such server.", "409": "Not installed, no uninstaller, or blocked."]),
        Operation(
            method: "post", path: "/api/v1/servers/{name}/logs/request", summary: "Ask the agent for its log bundle at its next poll.",
            access: .administrator, ok: ("202", "Requested.", anyObject), errors: ["404": "No such server."]),
        Operation(
            method: "get", path: "/api/v1/servers/{name}/logs", summary: "The last log bundle the agent uploaded (tar.gz).",
            access: .administrator, ok: ("200", "The bundle.", binary), errors: ["404": "No such server, or no bundle yet."]),

        // Repository administration.
        Operation(
            method: "get", path: "/api/v1/repository/root", summary: "The repository's current root.json.", access: .reader,
            ok: ("200", "root.json.", anyObject), errors: ["304": "Unchanged since the ETag presented."]),
        Operation(
            method: "get", path: "/api/v1/repository/platforms", summary: "Served (model, OS) pairs.", access: .administrator,
            ok: ("200", "Platforms.", array(anyObject))),
        Operation(
            method: "post", path: "/api/v1/repository/platforms", summary: "Serve a (model, OS) pair.", access: .administrator,
            body: ref("Platform"), ok: ("201", "Platforms.", array(anyObject))),
        Operation(
            method: "post", path: "/api/v1/repository/platforms/remove", summary: "Stop serving a (model, OS) pair.", access: .administrator,
            body: ref("Platform"), ok: ("200", "Platforms.", array(anyObject)), errors: ["404": "Not served."]),
        Operation(
            method: "post", path: "/api/v1/repository/packages", summary: "Add an update package (query: mode=needed|all, name). Table 14.",
            access: .administrator, body: binary, ok: ("201", "Added.", ref("AddResult")),
            errors: [
                "200": "Not needed (warning).", "409": "Already exists.", "413": "Over the upload limit.",
                "422": "Hash or signature invalid, or not a package.",
            ]),
        Operation(
            method: "get", path: "/api/v1/repository/packages", summary: "Every package with its indicators (Table 20).", access: .administrator,
            ok: ("200", "Listings.", array(anyObject))),
        Operation(
            method: "get", path: "/api/v1/repository/packages/{id}", summary: "One package.", access: .administrator,
            ok: ("200", "Listing.", anyObject), errors: ["404": "No such package."]),
        Operation(
            method: "post", path: "/api/v1/repository/packages/delete", summary: "Delete packages (Table 16).", access: .administrator,
            body: .object([
                "type": "object", "required": ["ids"],
                "properties": .object([
                    "ids": array(.object(["type": "string"])),
                    "force": .object(["type": "boolean"]),
                ]),
            ]),
            ok: ("200", "Per-package results.", array(anyObject))),
        Operation(
            method: "get", path: "/api/v1/repository/deletion-history", summary: "Deleted package ids sync will not fetch again.",
            access: .administrator, ok: ("200", "History.", array(anyObject))),
        Operation(
            method: "post", path: "/api/v1/repository/deletion-history/clear", summary: "Forget the deletion history.", access: .administrator,
            ok: ("200", "How many entries were cleared.", anyObject)),
        Operation(
            method: "get", path: "/api/v1/groups", summary: "Groups with their members' statuses, counts and progress.", access: .administrator,
            ok: ("200", "The groups.", anyObject)),
        Operation(
            method: "post", path: "/api/v1/groups", summary: "Create a group.", access: .administrator, body: anyObject,
            ok: ("201", "The group names.", anyObject), errors: ["400": "Bad name.", "409": "The name is taken."]),
        Operation(
            method: "get", path: "/api/v1/groups/{name}", summary: "A group, filtered as Table 21 says (?filter=…).", access: .administrator,
            ok: ("200", "The group.", anyObject), errors: ["400": "Unknown filter.", "404": "No such group."]),
        Operation(
            method: "post", path: "/api/v1/groups/{name}/delete", summary: "Delete a group (its servers stay).", access: .administrator,
            ok: ("200", "The group names.", anyObject), errors: ["404": "No such group."]),
        Operation(
            method: "post", path: "/api/v1/groups/{name}/members", summary: "Add and remove servers.", access: .administrator, body: anyObject,
            ok: ("200", "The group.", anyObject), errors: ["404": "No such group or server."]),
        Operation(
            method: "post", path: "/api/v1/groups/{name}/approve", summary: "Approve for each selected server, each with its own rules.",
            access: .administrator, body: anyObject, ok: ("201", "Per server: items, or why refused.", anyObject), errors: ["404": "No such group."]),
        Operation(
            method: "post", path: "/api/v1/groups/{name}/uninstall", summary: "Uninstall a module on every member that can.",
            access: .administrator, body: anyObject, ok: ("201", "Per server: items, or why refused.", anyObject), errors: ["404": "No such group."]),
        Operation(
            method: "post", path: "/api/v1/groups/{name}/policy", summary: "Set (or, with null, remove) the group's automatic approval.",
            access: .administrator, body: anyObject, ok: ("200", "The group.", anyObject), errors: ["400": "Bad values.", "404": "No such group."]),
        Operation(
            method: "get", path: "/api/v1/schedules", summary: "Remote batches, by start time.", access: .administrator,
            ok: ("200", "The batches.", anyObject)),
        Operation(
            method: "post", path: "/api/v1/schedules", summary: "Register a remote batch for a server or a group.", access: .administrator,
            body: anyObject, ok: ("201", "The batch.", anyObject), errors: ["400": "Bad target or time.", "404": "No such server or group."]),
        Operation(
            method: "post", path: "/api/v1/schedules/{id}", summary: "Change a batch that has not run.", access: .administrator, body: anyObject,
            ok: ("200", "The batch.", anyObject), errors: ["404": "No such batch.", "409": "It has run."]),
        Operation(
            method: "post", path: "/api/v1/schedules/{id}/delete", summary: "Delete a batch that has not run.", access: .administrator,
            ok: ("200", "The batches.", anyObject), errors: ["404": "No such batch.", "409": "It has run."]),
        Operation(
            method: "post", path: "/api/v1/servers/{name}/save",
            summary: "The Save tab: an export archive of download-only packages of some modules; optionally set their icon after.",
            access: .administrator, body: anyObject, ok: ("202", "The export job.", anyObject),
            errors: ["404": "No such server or module.", "409": "A module has no download-only package."]),
        Operation(
            method: "post", path: "/api/v1/servers/{name}/modules/{module}/status", summary: "Set a download-only module's status icon (Table 9).",
            access: .administrator, body: anyObject, ok: ("200", "The server.", anyObject),
            errors: ["400": "Unknown icon.", "404": "No such server or module."]),
        Operation(
            method: "get", path: "/metrics", summary: "Prometheus metrics: servers by status, approvals, applies, syncs, HTTP latencies.",
            access: .administrator, ok: ("200", "Prometheus text format 0.0.4.", anyObject)),
        Operation(
            method: "post", path: "/api/v1/login", summary: "Open a user session; new-package notices for users who may apply (R148–R150).",
            access: .none,
            body: .object([
                "type": "object", "required": ["username", "password"],
                "properties": .object(["username": .object(["type": "string"]), "password": .object(["type": "string"])]),
            ]),
            ok: ("200", "The session token, role, expiry and notices.", anyObject),
            errors: ["401": "Wrong user name or password.", "429": "Too many failed logins for this name: wait the seconds the message gives."]),
        Operation(
            method: "post", path: "/api/v1/logout", summary: "End this user session.", access: .administrator,
            ok: ("200", "Ended.", anyObject), errors: ["400": "The credential is not a user session."]),
        Operation(
            method: "get", path: "/api/v1/users", summary: "Users and roles (administrator role).", access: .administrator,
            ok: ("200", "The users.", anyObject)),
        Operation(
            method: "post", path: "/api/v1/users", summary: "Add a user: administrator, operator (may apply) or viewer.",
            access: .administrator,
            body: .object([
                "type": "object", "required": ["name", "role", "password"],
                "properties": .object([
                    "name": .object(["type": "string"]), "role": .object(["type": "string"]),
                    "password": .object(["type": "string"]),
                ]),
            ]),
            ok: ("201", "The users.", anyObject), errors: ["400": "Bad name, role or too short a password.", "409": "The name is taken."]),
        Operation(
            method: "post", path: "/api/v1/users/{name}/remove", summary: "Remove a user; their sessions end.", access: .administrator,
            ok: ("200", "The users.", anyObject), errors: ["404": "No such user.", "409": "The last administrator."]),
        Operation(
            method: "post", path: "/api/v1/users/{name}/password", summary: "Set a password (one's own, or anyone's as administrator).",
            access: .administrator, body: anyObject, ok: ("200", "Changed; the user's sessions end.", anyObject),
            errors: ["403": "Another user's password without the administrator role.", "404": "No such user."]),
        Operation(
            method: "post", path: "/api/v1/repository/presence",
            summary: "A manager that uses this repository says what its servers need (R141); two silent months retire it.",
            access: .reader, body: anyObject, ok: ("200", "This repository's version and the sender's deadline.", anyObject),
            errors: ["400": "Malformed notification."]),
        Operation(
            method: "post", path: "/api/v1/repository/sync", summary: "Start a sync from the upstream (\"Download update packages\").",
            access: .administrator, ok: ("202", "The sync's status.", anyObject),
            errors: ["409": "No upstream configured, or a sync is already running."]),
        Operation(
            method: "get", path: "/api/v1/repository/sync", summary: "The current or last sync: progress, added, refused, error.",
            access: .administrator, ok: ("200", "The sync's status.", anyObject)),
        Operation(
            method: "post", path: "/api/v1/repository/sync/cancel", summary: "Cancel the running sync (a partial download is kept).",
            access: .administrator, ok: ("200", "Cancelling.", anyObject), errors: ["409": "No sync is running, or no upstream."]),
        Operation(
            method: "get", path: "/api/v1/repository/settings", summary: "Upstream, schedule and proxy (passwords never shown).",
            access: .administrator, ok: ("200", "The settings.", anyObject)),
        Operation(
            method: "post", path: "/api/v1/repository/settings",
            summary:
                "Change the sync schedule, the proxy and the initial status icon (checked first as when saved in the seed; logged N16 or E13; kept across restarts over manager.toml's values).",
            access: .administrator,
            body: .object([
                "type": "object", "required": ["syncIntervalHours", "syncTime", "initialStatusIcon"],
                "properties": .object([
                    "syncIntervalHours": .object(["type": "integer"]), "syncTime": .object(["type": "string"]),
                    "proxy": .object(["type": "object"]), "initialStatusIcon": .object(["type": "string"]),
                    "keepUnchecked": .object(["type": "boolean"]),
                ]),
            ]),
            ok: ("200", "Saved (with the check's problem when keepUnchecked saved it anyway).", anyObject),
            errors: ["409": "The check failed: not saved."]),
        Operation(
            method: "post", path: "/api/v1/repository/password/rotate",
            summary: "A new repository password, in force at once (shown once); managers that use this repository need it.",
            access: .administrator, ok: ("200", "The new password.", anyObject)),
        Operation(
            method: "post", path: "/api/v1/repository/settings/check",
            summary: "Check the proxy, the upstream and its password as when settings are saved; logged N16 or E13.",
            access: .administrator, ok: ("200", "ok, or the problem in words.", anyObject), errors: ["409": "No upstream configured."]),
        Operation(
            method: "post", path: "/api/v1/repository/exports", summary: "Start building an export archive.", access: .administrator,
            body: .object([
                "type": "object", "required": ["ids"],
                "properties": .object([
                    "ids": array(.object(["type": "string"])),
                    "allVersions": .object(["type": "boolean"]),
                ]),
            ]),
            ok: ("202", "The job.", anyObject), errors: ["404": "A package does not exist."]),
        Operation(
            method: "get", path: "/api/v1/repository/exports/{id}", summary: "An export job's progress.", access: .administrator,
            ok: ("200", "The job.", anyObject), errors: ["404": "No such job."]),
        Operation(
            method: "delete", path: "/api/v1/repository/exports/{id}", summary: "Cancel an export job.", access: .administrator,
            ok: ("200", "Cancelled.", anyObject), errors: ["404": "No such job."]),
        Operation(
            method: "get", path: "/api/v1/repository/exports/{id}/archive", summary: "Download a finished export archive.",
            access: .administrator, ok: ("200", "The zip.", binary), errors: ["404": "No such job.", "409": "Not finished."]),
        Operation(
            method: "get", path: "/api/v1/log",
            summary: "The application log, oldest first (query: after, since, server, level, grep, limit; any user or the administrator token).",
            access: .administrator,
            ok: ("200", "Entries.", array(anyObject))),

        // TUF, for agents and other managers.
        Operation(
            method: "get", path: "/repo/v1/metadata/{path}", summary: "TUF metadata (root, timestamp, snapshot, targets, models/*).",
            access: .reader, ok: ("200", "Metadata.", anyObject), errors: ["304": "Unchanged since the ETag presented.", "404": "No such file."]),
        Operation(
            method: "get", path: "/repo/v1/targets/{path}", summary: "A package, by its consistent (hash-prefixed) target name. Range supported.",
            access: .reader, ok: ("200", "The package.", binary), errors: ["206": "The requested range.", "404": "No such target."]),
    ]

    static let schemas: [String: JSON] = [
        "Error": .object([
            "type": "object", "required": ["error"],
            "properties": .object([
                "error": .object([
                    "type": "object", "required": ["code", "message"],
                    "properties": .object([
                        "code": .object(["type": "string"]), "message": .object(["type": "string"]),
                    ]),
                ])
            ]),
        ]),
        "EnrolmentRequest": .object([
            "type": "object", "required": ["token", "name", "hostname"],
            "properties": .object([
                "token": .object(["type": "string", "description": "exup1.<secret>.<sha256 of root.json>"]),
                "name": .object(["type": "string"]), "hostname": .object(["type": "string"]),
            ]),
        ]),
        "EnrolmentResponse": .object([
            "type": "object",
            "properties": .object([
                "name": .object(["type": "string"]), "credential": .object(["type": "string"]),
                "root": .object(["type": "string", "format": "byte"]), "pollIntervalSeconds": .object(["type": "integer"]),
            ]),
        ]),
        "Directives": .object([
            "type": "object",
            "properties": .object([
                "version": .object(["type": "integer"]), "pollIntervalSeconds": .object(["type": "integer"]),
                "uploadLogBundle": .object(["type": "boolean"]), "items": array(anyObject),
            ]),
        ]),
        "AgentReport": .object([
            "type": "object", "required": ["schema", "sequence", "identity", "modules"],
            "properties": .object([
                "schema": .object(["type": "integer", "enum": [1]]), "sequence": .object(["type": "integer"]), "identity": anyObject,
                "modules": array(anyObject), "sensors": array(anyObject), "activities": anyObject, "previousVersions": anyObject,
                "problems": array(.object(["type": "string"])), "pollIntervalSeconds": .object(["type": "integer"]),
                "items": array(anyObject), "refusals": array(.object(["type": "string"])),
            ]),
        ]),
        "ReportOutcome": .object([
            "type": "object", "properties": .object(["outcome": .object(["type": "string", "enum": ["accepted", "duplicate"]])]),
        ]),
        "AgentSummary": .object([
            "type": "object",
            "properties": .object([
                "name": .object(["type": "string"]), "enrolledAt": .object(["type": "string"]), "lastSeen": .object(["type": "string"]),
                "revoked": .object(["type": "boolean"]), "reportSequence": .object(["type": "integer"]),
            ]),
        ]),
        "ServerSummary": .object([
            "type": "object",
            "properties": .object([
                "name": .object(["type": "string"]), "status": .object(["type": "string"]), "statusText": .object(["type": "string"]),
                "model": .object(["type": "string"]), "os": .object(["type": "string"]), "lastSeen": .object(["type": "string"]),
            ]),
        ]),
        "ServerDetail": .object([
            "type": "object",
            "properties": .object([
                "name": .object(["type": "string"]), "status": .object(["type": "string"]), "model": .object(["type": "string"]),
                "os": .object(["type": "string"]), "lastSeen": .object(["type": "string"]),
                "modules": array(
                    .object([
                        "type": "object",
                        "properties": .object([
                            "id": .object(["type": "string"]), "name": .object(["type": "string"]), "current": .object(["type": "string"]),
                            "available": .object(["type": "string"]), "status": .object(["type": "string"]), "source": .object(["type": "string"]),
                            "previous": .object(["type": "string"]),
                        ]),
                    ])),
                "run": .object(["type": "object", "properties": .object(["items": array(ref("RunItem")), "percent": .object(["type": "integer"])])]),
            ]),
        ]),
        "RunItem": .object([
            "type": "object",
            "properties": .object([
                "id": .object(["type": "integer"]), "kind": .object(["type": "string", "enum": ["apply", "uninstall"]]),
                "module": .object(["type": "string"]), "packageID": .object(["type": "string"]), "version": .object(["type": "string"]),
                "state": .object(["type": "string"]), "percent": .object(["type": "integer"]), "message": .object(["type": "string"]),
            ]),
        ]),
        "Approval": .object([
            "type": "object",
            "properties": .object([
                "modules": array(
                    .object([
                        "type": "object", "required": ["id"],
                        "properties": .object([
                            "id": .object(["type": "string"]), "version": .object(["type": "string"]),
                        ]),
                    ])),
                "allowReboot": .object(["type": "boolean"]), "latestOnly": .object(["type": "boolean"]),
                "latestAtRunTime": .object(["type": "boolean"]), "downloadFirst": .object(["type": "boolean"]),
                "notBefore": .object(["type": "integer", "description": "seconds since 1970, UTC"]),
                "onLostContact": .object(["type": "string", "enum": ["stop", "continue"]]), "overrideHealthGate": .object(["type": "boolean"]),
            ]),
        ]),
        "CancelOutcome": .object([
            "type": "object",
            "properties": .object([
                "cancelled": array(.object(["type": "integer"])), "refused": array(anyObject),
            ]),
        ]),
        "Platform": .object([
            "type": "object", "required": ["model", "os"],
            "properties": .object([
                "model": .object(["type": "string"]), "os": .object(["type": "string"]),
            ]),
        ]),
        "AddResult": .object([
            "type": "object",
            "properties": .object([
                "file": .object(["type": "string"]), "packageID": .object(["type": "string"]), "result": .object(["type": "string"]),
                "code": .object(["type": "string"]), "message": .object(["type": "string"]),
            ]),
        ]),
    ]

    static func operationJSON(_ operation: Operation) -> JSON {
        var responses: [String: JSON] = [:]
        let media = operation.ok.schema == binary ? "application/octet-stream" : "application/json"
        responses[operation.ok.code] = .object([
            "description": .string(operation.ok.description),
            "content": .object([media: .object(["schema": operation.ok.schema ?? anyObject])]),
        ])
        var errors = operation.errors
        switch operation.access {
        case .none: break
        case .administrator, .agent, .reader:
            errors["401"] = errors["401"] ?? "Missing or wrong credential."
            if operation.access != .reader { errors["403"] = "The credential is valid but not for this endpoint." }
        }
        if operation.body != nil {
            errors["400"] = errors["400"] ?? "The body is not valid JSON, has an unknown field or a wrong type."
            errors["413"] = errors["413"] ?? "The body is too large."
        }
        for (code, description) in errors {
            let plain = code == "304" || code == "206" || code == "200"
            responses[code] =
                plain
                ? .object(["description": .string(description)])
                : .object(["description": .string(description), "content": .object(["application/json": .object(["schema": ref("Error")])])])
        }
        var fields: [String: JSON] = ["summary": .string(operation.summary), "responses": .object(responses)]
        switch operation.access {
        case .none: fields["security"] = .array([])
        case .administrator: fields["security"] = .array([.object(["administrator": .array([])])])
        case .agent: fields["security"] = .array([.object(["agent": .array([])])])
        case .reader:
            fields["security"] = .array([
                .object(["administrator": .array([])]), .object(["repositoryPassword": .array([])]),
                .object(["agent": .array([])]),
            ])
        }
        if let body = operation.body {
            let media = body == binary ? "application/octet-stream" : "application/json"
            fields["requestBody"] = .object(["required": .bool(true), "content": .object([media: .object(["schema": body])])])
        }
        let parameters = operation.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { segment -> JSON in
            .object([
                "name": .string(String(segment.dropFirst().dropLast())), "in": "path", "required": .bool(true),
                "schema": .object(["type": "string"]),
            ])
        }
        if !parameters.isEmpty { fields["parameters"] = .array(parameters) }
        return .object(fields)
    }

    static let bytes: [UInt8] = {
        var paths: [String: [String: JSON]] = [:]
        for operation in operations { paths[operation.path, default: [:]][operation.method] = operationJSON(operation) }
        let document: JSON = .object([
            "openapi": "3.0.3",
            "info": .object([
                "title": "exup manager API", "version": "1",
                "description": "Credentials travel as Authorization: Bearer. Errors are {\"error\": {\"code\", \"message\"}}.",
            ]),
            "paths": .object(paths.mapValues { .object($0) }),
            "components": .object([
                "schemas": .object(schemas),
                "securitySchemes": .object([
                    "administrator": .object(["type": "http", "scheme": "bearer", "description": "DATA/admin.token"]),
                    "repositoryPassword": .object(["type": "http", "scheme": "bearer", "description": "DATA/repository.password"]),
                    "agent": .object(["type": "http", "scheme": "bearer", "description": "The credential an agent received at enrolment"]),
                ]),
            ]),
        ])
        return document.prettyBytes
    }()
}
