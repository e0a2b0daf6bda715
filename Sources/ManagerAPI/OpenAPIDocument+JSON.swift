// swift-format-ignore-file
// Generated from openapi.yaml by scripts/openapi-json.py (make openapi). Do not edit.

extension OpenAPIDocument {
    /// The document, as JSON.
    static let json = ##"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "exup manager API",
  "version": "1.1",
  "summary": "The exup manager's JSON API: fleet, approvals, groups, schedules, users, the repository and its TUF metadata.",
  "description": "Credentials travel as `Authorization: Bearer <credential>`: the administrator token (DATA/admin.token), a user session (POST /api/v1/login), an agent's credential (POST /api/v1/enrol) or the repository password (DATA/repository.password). The web pages' cookie is not accepted here.\n\nEvery error with a body is `{\"error\": {\"code\", \"message\"}}` (schema Error). A 401 also carries `WWW-Authenticate: Bearer`.\n\nRequest bodies are one JSON object within the operation's size limit (1 MiB unless said; 413 above it); a duplicate key at any depth, nesting deeper than 64 and an unknown top-level field are refused (400); unknown fields of nested objects are ignored. Integer fields take whole numbers (1.0 and 1e2 are taken, 1.5 is refused); number fields (a sensor's reading) take fractions. Optional request fields may be absent or null unless said. Answers omit a field that has no value (never null). Times are UTC `YYYY-MM-DDTHH:MM:SSZ` strings, except the log's `time` (seconds since 1970).\n\nRoles: administrator (everything), operator (reads, and the apply permission: approve, cancel, uninstall, schedules, exports, download-only icons), viewer (reads). The administrator token may do everything a user may.\n\nExtensions the server reads from this document: `x-exup-permission` is what an operation's credential must allow (read, apply, administer; session: a user session; agent: an enrolled agent's own credential; none; read-or-repository and apply-or-repository also admit the repository password; repository-or-administrator: the repository password or the administrator token), checked before the body is read; `x-exup-body-limit` is a body limit other than 1 MiB, in bytes; `x-exup-hand-routed` marks the operations served by hand-written routes instead of the code generated from this document: the agent's poll (directives, answered 304 by ETag) and report (the hot path of a fleet, decoded once into the store's types), TUF metadata and targets (ETags, ranges), streamed uploads and downloads, the document itself (served byte for byte), health and metrics (plain text).\n\nChanges in 1.1 (paths stay /api/v1; a client of 1 keeps working except where said): an upload answers one AddResult per file, 201 when added and 200 otherwise (was 409 or 422 for a refused file); a documented path asked with a method it does not have answers 405 with Allow (was 404); log out with a credential that is not a user session answers 403 not-a-session; a policy naming its own group as canary answers 409 own-canary, one naming a group that does not exist 409 unknown-canary (was 404); a batch id or a log query number that is not a whole number answers 400; `add`, `remove` (group members), `currentPassword` and a log bundle failure's `reason` may be null (were refused); a JSON body is read as JSON whatever its Content-Type says, and answers are JSON whatever Accept says; the generated operations' successful answers carry `Content-Type: application/json; charset=utf-8` (was without the charset; error answers are unchanged); a refused body, parameter or time names the field or parameter and what it takes (message texts changed; a body missing a required field is bad-request where some operations said invalid); in a query, `+` is a space (form encoding; send %2B for a plus); in remote mode, download now passes the remote repository's refusal on (409, its code) and answers 502 remote-repository when the remote cannot be reached or read."
 },
 "servers": [
  {
   "url": "http://localhost:8080",
   "description": "exup-manager serve's default address"
  }
 ],
 "tags": [
  {
   "name": "Server"
  },
  {
   "name": "Agent"
  },
  {
   "name": "Agents"
  },
  {
   "name": "Servers"
  },
  {
   "name": "Groups"
  },
  {
   "name": "Schedules"
  },
  {
   "name": "Repository"
  },
  {
   "name": "Exports"
  },
  {
   "name": "Log"
  },
  {
   "name": "Sync"
  },
  {
   "name": "Users"
  },
  {
   "name": "TUF"
  }
 ],
 "paths": {
  "/healthz": {
   "get": {
    "operationId": "getHealth",
    "x-exup-hand-routed": true,
    "summary": "Liveness.",
    "tags": [
     "Server"
    ],
    "description": "Access: no credential needed.",
    "security": [],
    "responses": {
     "200": {
      "description": "The server is up: the text ok and a newline.",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string",
         "description": "ok and a newline.",
         "examples": [
          "ok\n"
         ]
        }
       }
      }
     }
    }
   }
  },
  "/readyz": {
   "get": {
    "operationId": "getReadiness",
    "x-exup-hand-routed": true,
    "summary": "Readiness, for load balancers.",
    "tags": [
     "Server"
    ],
    "description": "Ready when the manager's database answers (SQLite, or PostgreSQL with its migrations applied), the repository's catalog answers and the package pool is readable. A load balancer sends traffic only to a ready manager; /healthz says only that the process is alive.\n\nAccess: no credential needed.",
    "security": [],
    "responses": {
     "200": {
      "description": "Ready: the text ready and a newline.",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string",
         "examples": [
          "ready\n"
         ]
        }
       }
      }
     },
     "503": {
      "description": "Not ready: not ready, what failed and why.",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string",
         "examples": [
          "not ready: database: cannot reach PostgreSQL for a query: connection refused\n"
         ]
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/openapi.json": {
   "get": {
    "operationId": "getOpenAPIDocument",
    "x-exup-hand-routed": true,
    "summary": "This API's OpenAPI document.",
    "tags": [
     "Server"
    ],
    "description": "Access: no credential needed.",
    "security": [],
    "responses": {
     "200": {
      "description": "The document.",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "additionalProperties": true
        }
       }
      }
     }
    }
   }
  },
  "/metrics": {
   "get": {
    "operationId": "getMetrics",
    "x-exup-hand-routed": true,
    "summary": "Prometheus metrics (text format 0.0.4).",
    "tags": [
     "Server"
    ],
    "description": "Servers by status, approvals pending, apply results, sync runs, HTTP request counts and latencies by route template.\n\nAccess: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "Prometheus text format 0.0.4 (Content-Type: text/plain; version=0.0.4; charset=utf-8).",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   }
  },
  "/api/v1/enrol": {
   "post": {
    "operationId": "enrolAgent",
    "x-exup-permission": "none",
    "x-exup-body-limit": 16384,
    "summary": "Enrol an agent with a token.",
    "tags": [
     "Agent"
    ],
    "description": "Consumes one use of the token and issues the agent's own credential, with the root.json to pin. Refused tokens are throttled per source: after 10 in a row the source waits (429), doubling up to 15 minutes.\n\nAccess: no credential needed.",
    "security": [],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/EnrolmentRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Enrolled.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/EnrolmentResponse"
        }
       }
      },
      "links": {
       "getServer": {
        "operationId": "getServer",
        "parameters": {
         "name": "$response.body#/name"
        }
       },
       "revokeAgent": {
        "operationId": "revokeAgent",
        "parameters": {
         "name": "$response.body#/name"
        }
       },
       "rotateAgentCredential": {
        "operationId": "rotateAgentCredential",
        "parameters": {
         "name": "$response.body#/name"
        }
       },
       "allowAgentReenrolment": {
        "operationId": "allowAgentReenrolment",
        "parameters": {
         "name": "$response.body#/name"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or the name is not 1-128 letters, digits, '-', '_', '.', '@' (code invalid); or the enrolment could not be stored (code storage).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Not an enrolment token, or unknown, expired or used up (codes bad-token, token-expired, token-used).",
      "headers": {
       "WWW-Authenticate": {
        "$ref": "#/components/headers/WWWAuthenticate"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "An agent of that name is enrolled and its re-enrolment is not allowed (code name-taken).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 16 KiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "429": {
      "description": "Too many refused tokens from this source (code too-many-failures).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/agent/directives": {
   "get": {
    "operationId": "getDirectives",
    "x-exup-hand-routed": true,
    "summary": "The agent's poll: its directives, and a heartbeat.",
    "tags": [
     "Agent"
    ],
    "description": "Conditional: with If-None-Match naming the current ETag the answer is 304 without a body.\n\nAccess: an enrolled agent's own credential only. The administrator token, user sessions and the repository password get 403.",
    "security": [
     {
      "agentCredential": []
     }
    ],
    "parameters": [
     {
      "name": "If-None-Match",
      "in": "header",
      "required": false,
      "description": "ETags from an earlier answer (\"d<version>\"), comma-separated.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The directives.",
      "headers": {
       "ETag": {
        "$ref": "#/components/headers/DirectivesETag"
       },
       "Cache-Control": {
        "$ref": "#/components/headers/NoCache"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Directives"
        }
       }
      }
     },
     "304": {
      "description": "Unchanged since the ETag presented.",
      "headers": {
       "ETag": {
        "$ref": "#/components/headers/DirectivesETag"
       },
       "Cache-Control": {
        "$ref": "#/components/headers/NoCache"
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "The agent is no longer known (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/agent/report": {
   "post": {
    "operationId": "submitReport",
    "x-exup-hand-routed": true,
    "summary": "The agent's report (sent only when something changed).",
    "tags": [
     "Agent"
    ],
    "description": "A sequence number the manager already has changes nothing and is answered duplicate, so a resend never wedges.\n\nAccess: an enrolled agent's own credential only. The administrator token, user sessions and the repository password get 403.",
    "security": [
     {
      "agentCredential": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/AgentReport"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Stored, or a duplicate.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReportOutcome"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or schema is not 1 (code invalid).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "The agent is no longer known (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/agent/logs": {
   "post": {
    "operationId": "uploadLogBundle",
    "x-exup-hand-routed": true,
    "summary": "Upload the log bundle the manager asked for.",
    "tags": [
     "Agent"
    ],
    "description": "The body is the tar.gz itself (at most 256 MiB), streamed to disk.\n\nAccess: an enrolled agent's own credential only. The administrator token, user sessions and the repository password get 403.",
    "security": [
     {
      "agentCredential": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/gzip": {
       "schema": {
        "type": "string",
        "format": "binary",
        "minLength": 1
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Stored.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/LogBundleStored"
        }
       }
      }
     },
     "400": {
      "description": "The body is empty (code bad-request).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "409": {
      "description": "No log bundle was requested from this agent (code not-requested).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The bundle is over 256 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "500": {
      "description": "The manager could not store it (code storage).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/agent/logs/failed": {
   "post": {
    "operationId": "reportLogBundleFailure",
    "x-exup-permission": "agent",
    "summary": "Say why the requested log bundle cannot be sent.",
    "tags": [
     "Agent"
    ],
    "description": "Ends the request and logs the reason.\n\nAccess: an enrolled agent's own credential only. The administrator token, user sessions and the repository password get 403.",
    "security": [
     {
      "agentCredential": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/LogBundleFailure"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Recorded.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/LogBundleFailureRecorded"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/agents/tokens": {
   "post": {
    "operationId": "createToken",
    "x-exup-permission": "administer",
    "summary": "Create an enrolment token.",
    "tags": [
     "Agents"
    ],
    "description": "Single use and 24 hours unless said otherwise. The answer gives the secret once; listTokens shows the token's id.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/CreateTokenRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The token (shown once).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CreatedToken"
        }
       }
      },
      "links": {
       "enrolAgent": {
        "operationId": "enrolAgent",
        "description": "Enrol a server with the new token.",
        "requestBody": {
         "token": "$response.body#/token",
         "name": "linked-agent",
         "hostname": "linked-agent.example"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or expiresInSeconds or uses out of range.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "The group does not exist (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "get": {
    "operationId": "listTokens",
    "x-exup-permission": "administer",
    "summary": "Enrolment tokens that can still be used.",
    "tags": [
     "Agents"
    ],
    "description": "Ids, never secrets; oldest first.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "The tokens.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/EnrolmentTokenSummary"
         }
        }
       }
      },
      "links": {
       "revokeToken": {
        "operationId": "revokeToken",
        "parameters": {
         "id": "$response.body#/0/id"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   }
  },
  "/api/v1/agents/tokens/{id}": {
   "delete": {
    "operationId": "revokeToken",
    "x-exup-permission": "administer",
    "summary": "Revoke an enrolment token.",
    "tags": [
     "Agents"
    ],
    "description": "Access: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "8 or more hex digits of the id listTokens shows (a unique prefix).",
      "schema": {
       "type": "string",
       "pattern": "^[0-9A-Fa-f]{8,}$"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Revoked.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/TokenRevoked"
        }
       }
      }
     },
     "400": {
      "description": "Not 8 or more hex digits, or a prefix naming several tokens (code invalid).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such token (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/agents": {
   "get": {
    "operationId": "listAgents",
    "x-exup-permission": "read",
    "summary": "Enrolled agents, revoked ones included.",
    "tags": [
     "Agents"
    ],
    "description": "Access: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "The agents, by name.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/AgentSummary"
         }
        }
       }
      },
      "links": {
       "getServer": {
        "operationId": "getServer",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "revokeAgent": {
        "operationId": "revokeAgent",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "rotateAgentCredential": {
        "operationId": "rotateAgentCredential",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "allowAgentReenrolment": {
        "operationId": "allowAgentReenrolment",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   }
  },
  "/api/v1/agents/{name}/revoke": {
   "post": {
    "operationId": "revokeAgent",
    "x-exup-permission": "administer",
    "summary": "Revoke an agent's credential at once.",
    "tags": [
     "Agents"
    ],
    "description": "What the agent claimed (its platform, the versions it pins) is released. No body.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A server's (agent's) name, percent-encoded once.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Revoked.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/AgentRevoked"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such agent (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/agents/{name}/rotate": {
   "post": {
    "operationId": "rotateAgentCredential",
    "x-exup-permission": "administer",
    "summary": "Issue a new credential; the old one stops working.",
    "tags": [
     "Agents"
    ],
    "description": "No body.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A server's (agent's) name, percent-encoded once.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The new credential.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/AgentCredential"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such active agent (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/agents/{name}/allow-reenrolment": {
   "post": {
    "operationId": "allowAgentReenrolment",
    "x-exup-permission": "administer",
    "summary": "Let a reinstalled server enrol again under its name.",
    "tags": [
     "Agents"
    ],
    "description": "No body.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A server's (agent's) name, percent-encoded once.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Allowed.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReenrolmentAllowed"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such agent (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/servers": {
   "get": {
    "operationId": "listServers",
    "x-exup-permission": "read",
    "summary": "Every server with its status (Table 10).",
    "tags": [
     "Servers"
    ],
    "description": "Access: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "filter",
      "in": "query",
      "required": false,
      "description": "Only the servers this filter selects (R075/R076).",
      "schema": {
       "$ref": "#/components/schemas/ServerFilter"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The servers, by name.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/ServerSummary"
         }
        }
       }
      },
      "links": {
       "getServer": {
        "operationId": "getServer",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "approveServerUpdates": {
        "operationId": "approveServerUpdates",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "cancelServerItems": {
        "operationId": "cancelServerItems",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "uninstallServerModule": {
        "operationId": "uninstallServerModule",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "requestServerLogs": {
        "operationId": "requestServerLogs",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "downloadServerLogs": {
        "operationId": "downloadServerLogs",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "saveServerModules": {
        "operationId": "saveServerModules",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       }
      }
     },
     "400": {
      "description": "filter is not one of ServerFilter (code bad-request).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   }
  },
  "/api/v1/servers/{name}": {
   "get": {
    "operationId": "getServer",
    "x-exup-permission": "read",
    "summary": "A server's modules, statuses (Tables 8, 9) and current run.",
    "tags": [
     "Servers"
    ],
    "description": "Access: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A server's (agent's) name, percent-encoded once.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The server.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ServerDetail"
        }
       }
      },
      "links": {
       "approveServerUpdates": {
        "operationId": "approveServerUpdates",
        "parameters": {
         "name": "$response.body#/name"
        }
       },
       "cancelServerItems": {
        "operationId": "cancelServerItems",
        "parameters": {
         "name": "$response.body#/name"
        }
       },
       "uninstallServerModule": {
        "operationId": "uninstallServerModule",
        "parameters": {
         "name": "$response.body#/name"
        }
       },
       "requestServerLogs": {
        "operationId": "requestServerLogs",
        "parameters": {
         "name": "$response.body#/name"
        }
       },
       "downloadServerLogs": {
        "operationId": "downloadServerLogs",
        "parameters": {
         "name": "$response.body#/name"
        }
       },
       "saveServerModules": {
        "operationId": "saveServerModules",
        "parameters": {
         "name": "$response.body#/name"
        },
        "description": "Save the first module's download-only packages.",
        "requestBody": {
         "modules": [
          "$response.body#/modules/0/id"
         ]
        }
       },
       "setModuleStatusIcon": {
        "operationId": "setModuleStatusIcon",
        "parameters": {
         "name": "$response.body#/name",
         "module": "$response.body#/modules/0/id"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such server, or it is revoked (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/servers/{name}/approve": {
   "post": {
    "operationId": "approveServerUpdates",
    "x-exup-permission": "apply",
    "summary": "Approve updates for a server.",
    "tags": [
     "Servers"
    ],
    "description": "Every pick is checked first; one refusal refuses the whole approval (409, naming each module and why).\n\nAccess: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A server's (agent's) name, percent-encoded once.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/ApproveRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The approved items.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/RunItem"
         }
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or onLostContact is not stop or continue.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such server, or it is revoked (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "No report yet (no-report), nothing to approve (nothing-to-approve), or refused (refused).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/servers/{name}/cancel": {
   "post": {
    "operationId": "cancelServerItems",
    "x-exup-permission": "apply",
    "summary": "Cancel the server's approved items that have not started.",
    "tags": [
     "Servers"
    ],
    "description": "Started items are not cancelled: they are listed as refused. No body.\n\nAccess: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A server's (agent's) name, percent-encoded once.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "What was cancelled and what was not.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CancelOutcome"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such server (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/servers/{name}/uninstall": {
   "post": {
    "operationId": "uninstallServerModule",
    "x-exup-permission": "apply",
    "summary": "Uninstall a module whose package has an Uninstall program.",
    "tags": [
     "Servers"
    ],
    "description": "Access: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A server's (agent's) name, percent-encoded once.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/UninstallRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The queued item.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/RunItem"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such server, or no report from it (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Not installed (not-installed), no uninstaller (no-uninstaller), or blocked by the module's status (refused).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/servers/{name}/logs/request": {
   "post": {
    "operationId": "requestServerLogs",
    "x-exup-permission": "apply",
    "summary": "Ask the agent for its log bundle at its next poll.",
    "tags": [
     "Servers"
    ],
    "description": "No body.\n\nAccess: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A server's (agent's) name, percent-encoded once.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "202": {
      "description": "Requested.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/LogsRequested"
        }
       }
      },
      "links": {
       "downloadServerLogs": {
        "operationId": "downloadServerLogs",
        "parameters": {
         "name": "$response.body#/requested"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such server (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/servers/{name}/logs": {
   "get": {
    "operationId": "downloadServerLogs",
    "x-exup-hand-routed": true,
    "summary": "The last log bundle the agent uploaded.",
    "tags": [
     "Servers"
    ],
    "description": "Access: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A server's (agent's) name, percent-encoded once.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The bundle (tar.gz), streamed.",
      "headers": {
       "Content-Disposition": {
        "$ref": "#/components/headers/ContentDisposition"
       }
      },
      "content": {
       "application/gzip": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such server, or no bundle uploaded yet (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/servers/{name}/save": {
   "post": {
    "operationId": "saveServerModules",
    "x-exup-permission": "apply",
    "summary": "The Save tab: export the download-only packages of some modules.",
    "tags": [
     "Servers"
    ],
    "description": "Starts an export job (as startExport) of the modules' download-only packages; optionally sets their icon once the archive is complete.\n\nAccess: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A server's (agent's) name, percent-encoded once.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/SaveRequest"
       }
      }
     }
    },
    "responses": {
     "202": {
      "description": "The export job.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ExportStatus"
        }
       }
      },
      "links": {
       "getExport": {
        "operationId": "getExport",
        "parameters": {
         "id": "$response.body#/id"
        }
       },
       "downloadExport": {
        "operationId": "downloadExport",
        "parameters": {
         "id": "$response.body#/id"
        }
       },
       "cancelExport": {
        "operationId": "cancelExport",
        "parameters": {
         "id": "$response.body#/id"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or setIconAfterSave is not a ManualIcon.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such server with a report, or it has no such module (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "A module has no download-only package (no-download-only-package), or the export limits (export-quota).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/servers/{name}/modules/{module}/status": {
   "post": {
    "operationId": "setModuleStatusIcon",
    "x-exup-permission": "apply",
    "summary": "Set a download-only module's status icon (Table 9).",
    "tags": [
     "Servers"
    ],
    "description": "Access: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A server's (agent's) name, percent-encoded once.",
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "module",
      "in": "path",
      "required": true,
      "description": "A module id the server reports.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/ModuleStatusRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The server.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ServerDetail"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or icon is missing or not a ManualIcon.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such server with a report, or it has no such module (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/groups": {
   "get": {
    "operationId": "listGroups",
    "x-exup-permission": "read",
    "summary": "Groups with their members' statuses, counts and progress.",
    "tags": [
     "Groups"
    ],
    "description": "Access: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "The groups, by name.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/GroupView"
         }
        }
       }
      },
      "links": {
       "getGroup": {
        "operationId": "getGroup",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "changeGroupMembers": {
        "operationId": "changeGroupMembers",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "approveGroupUpdates": {
        "operationId": "approveGroupUpdates",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "uninstallGroupModule": {
        "operationId": "uninstallGroupModule",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "setGroupPolicy": {
        "operationId": "setGroupPolicy",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "deleteGroup": {
        "operationId": "deleteGroup",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   },
   "post": {
    "operationId": "createGroup",
    "x-exup-permission": "administer",
    "summary": "Create a group.",
    "tags": [
     "Groups"
    ],
    "description": "The answer is every group's name; the links take the new group's name from the request.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/CreateGroupRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Every group's name, sorted.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "type": "string"
         }
        }
       }
      },
      "links": {
       "getGroup": {
        "operationId": "getGroup",
        "parameters": {
         "name": "$request.body#/name"
        }
       },
       "changeGroupMembers": {
        "operationId": "changeGroupMembers",
        "parameters": {
         "name": "$request.body#/name"
        }
       },
       "approveGroupUpdates": {
        "operationId": "approveGroupUpdates",
        "parameters": {
         "name": "$request.body#/name"
        }
       },
       "uninstallGroupModule": {
        "operationId": "uninstallGroupModule",
        "parameters": {
         "name": "$request.body#/name"
        }
       },
       "setGroupPolicy": {
        "operationId": "setGroupPolicy",
        "parameters": {
         "name": "$request.body#/name"
        }
       },
       "deleteGroup": {
        "operationId": "deleteGroup",
        "parameters": {
         "name": "$request.body#/name"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or the name is not 1-64 letters, digits, '-', '_', '.', '@' (code invalid).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "409": {
      "description": "A group of that name exists (code group-exists).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/groups/{name}": {
   "get": {
    "operationId": "getGroup",
    "x-exup-permission": "read",
    "summary": "A group, filtered as Table 21 says.",
    "tags": [
     "Groups"
    ],
    "description": "Access: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A group's name.",
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "filter",
      "in": "query",
      "required": false,
      "description": "Default all.",
      "schema": {
       "$ref": "#/components/schemas/GroupFilter"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The group.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/GroupView"
        }
       }
      }
     },
     "400": {
      "description": "filter is not a GroupFilter (code bad-request).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such group (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/groups/{name}/delete": {
   "post": {
    "operationId": "deleteGroup",
    "x-exup-permission": "administer",
    "summary": "Delete a group (its servers stay).",
    "tags": [
     "Groups"
    ],
    "description": "No body.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A group's name.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "Every remaining group's name.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "type": "string"
         }
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such group (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/groups/{name}/members": {
   "post": {
    "operationId": "changeGroupMembers",
    "x-exup-permission": "administer",
    "summary": "Add and remove servers.",
    "tags": [
     "Groups"
    ],
    "description": "Access: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A group's name.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/GroupMembersRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The group.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/GroupView"
        }
       }
      },
      "links": {
       "getGroup": {
        "operationId": "getGroup",
        "parameters": {
         "name": "$response.body#/name"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such group, or a server to add does not exist (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/groups/{name}/approve": {
   "post": {
    "operationId": "approveGroupUpdates",
    "x-exup-permission": "apply",
    "summary": "Approve for each selected member, each with its own rules.",
    "tags": [
     "Groups"
    ],
    "description": "A refused member does not stop the others: its result says why.\n\nAccess: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A group's name.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/GroupApproveRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "One result per selected member.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/GroupApprovalResult"
         }
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or filter or onLostContact is not one the server takes.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such group (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/groups/{name}/uninstall": {
   "post": {
    "operationId": "uninstallGroupModule",
    "x-exup-permission": "apply",
    "summary": "Uninstall a module on every member that can.",
    "tags": [
     "Groups"
    ],
    "description": "Access: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A group's name.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/UninstallRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "One result per member whose agent answers.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/GroupApprovalResult"
         }
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such group (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/groups/{name}/policy": {
   "post": {
    "operationId": "setGroupPolicy",
    "x-exup-permission": "administer",
    "summary": "Set the group's automatic approval.",
    "tags": [
     "Groups"
    ],
    "description": "Access: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A group's name.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/GroupPolicyRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The group.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/GroupView"
        }
       }
      },
      "links": {
       "getGroup": {
        "operationId": "getGroup",
        "parameters": {
         "name": "$response.body#/name"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or a value is out of range (code invalid).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such group (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "The group is named as its own canary (code own-canary), or the canary group does not exist (code unknown-canary).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/schedules": {
   "get": {
    "operationId": "listSchedules",
    "x-exup-permission": "read",
    "summary": "Remote batches, by start time.",
    "tags": [
     "Schedules"
    ],
    "description": "Access: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "The batches.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Schedule"
         }
        }
       }
      },
      "links": {
       "editSchedule": {
        "operationId": "editSchedule",
        "parameters": {
         "id": "$response.body#/0/id"
        }
       },
       "deleteSchedule": {
        "operationId": "deleteSchedule",
        "parameters": {
         "id": "$response.body#/0/id"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   },
   "post": {
    "operationId": "createSchedule",
    "x-exup-permission": "apply",
    "summary": "Register a remote batch for a server or a group.",
    "tags": [
     "Schedules"
    ],
    "description": "When it fires, every module with an update is approved at the newest version there is then.\n\nAccess: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/CreateScheduleRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The batch.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Schedule"
        }
       }
      },
      "links": {
       "editSchedule": {
        "operationId": "editSchedule",
        "parameters": {
         "id": "$response.body#/id"
        }
       },
       "deleteSchedule": {
        "operationId": "deleteSchedule",
        "parameters": {
         "id": "$response.body#/id"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or not exactly one of server and group, or startAt not a future YYYY-MM-DDTHH:MM:SSZ (codes bad-request, invalid).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such server or group (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/schedules/{id}": {
   "post": {
    "operationId": "editSchedule",
    "x-exup-permission": "apply",
    "summary": "Change a batch that has not run.",
    "tags": [
     "Schedules"
    ],
    "description": "Access: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "The batch's id.",
      "schema": {
       "type": "integer",
       "format": "int64"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/EditScheduleRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The batch.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Schedule"
        }
       }
      },
      "links": {
       "deleteSchedule": {
        "operationId": "deleteSchedule",
        "parameters": {
         "id": "$response.body#/id"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or startAt not a future YYYY-MM-DDTHH:MM:SSZ (codes bad-request, invalid); a non-integer id is also 400 (code bad-request).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such batch (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "It is running or has run (code schedule-started).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/schedules/{id}/delete": {
   "post": {
    "operationId": "deleteSchedule",
    "x-exup-permission": "apply",
    "summary": "Delete a batch that has not run.",
    "tags": [
     "Schedules"
    ],
    "description": "No body.\n\nAccess: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "The batch's id.",
      "schema": {
       "type": "integer",
       "format": "int64"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The remaining batches.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Schedule"
         }
        }
       }
      }
     },
     "400": {
      "description": "The id is not an integer (code bad-request).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such batch (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "It is running or has run (code schedule-started).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/repository/root": {
   "get": {
    "operationId": "getRepositoryRoot",
    "x-exup-hand-routed": true,
    "summary": "The repository's current root.json.",
    "tags": [
     "Repository"
    ],
    "description": "Access: any valid credential: the administrator token, a user session (any role), an agent credential or the repository password.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     },
     {
      "agentCredential": []
     },
     {
      "repositoryPassword": []
     }
    ],
    "parameters": [
     {
      "name": "If-None-Match",
      "in": "header",
      "required": false,
      "description": "ETags from an earlier answer, comma-separated.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "root.json.",
      "headers": {
       "ETag": {
        "$ref": "#/components/headers/MetadataETag"
       },
       "Cache-Control": {
        "$ref": "#/components/headers/NoCache"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/TUFMetadata"
        }
       }
      },
      "links": {
       "getMetadata": {
        "operationId": "getMetadata",
        "parameters": {
         "path": "timestamp.json"
        },
        "description": "The timestamp, where a TUF client starts after the root."
       }
      }
     },
     "304": {
      "description": "Unchanged since the ETag presented.",
      "headers": {
       "ETag": {
        "$ref": "#/components/headers/MetadataETag"
       },
       "Cache-Control": {
        "$ref": "#/components/headers/NoCache"
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "404": {
      "description": "No root.json yet (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "502": {
      "description": "Remote mode: the remote repository failed (code remote-repository).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/repo/v1/metadata/{path}": {
   "get": {
    "operationId": "getMetadata",
    "x-exup-hand-routed": true,
    "summary": "TUF metadata.",
    "tags": [
     "TUF"
    ],
    "description": "root.json, N.root.json, timestamp.json, N.snapshot.json, N.targets.json and the delegated N.models/<model>.json. The path may contain '/', sent percent-encoded (models%2Fx.json); the server decodes it once.\n\nAccess: any valid credential: the administrator token, a user session (any role), an agent credential or the repository password.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     },
     {
      "agentCredential": []
     },
     {
      "repositoryPassword": []
     }
    ],
    "parameters": [
     {
      "name": "path",
      "in": "path",
      "required": true,
      "description": "The metadata file's name.",
      "schema": {
       "type": "string",
       "minLength": 1
      }
     },
     {
      "name": "If-None-Match",
      "in": "header",
      "required": false,
      "description": "ETags from an earlier answer, comma-separated.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The metadata file.",
      "headers": {
       "ETag": {
        "$ref": "#/components/headers/MetadataETag"
       },
       "Cache-Control": {
        "$ref": "#/components/headers/NoCache"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/TUFMetadata"
        }
       }
      }
     },
     "304": {
      "description": "Unchanged since the ETag presented.",
      "headers": {
       "ETag": {
        "$ref": "#/components/headers/MetadataETag"
       },
       "Cache-Control": {
        "$ref": "#/components/headers/NoCache"
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "404": {
      "description": "No such metadata file (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "502": {
      "description": "Remote mode: the remote repository failed (code remote-repository).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/repo/v1/targets/{path}": {
   "get": {
    "operationId": "getTarget",
    "x-exup-hand-routed": true,
    "summary": "A package, by its consistent (hash-prefixed) target name.",
    "tags": [
     "TUF"
    ],
    "description": "The names come from the targets metadata (<sha256>.<name>); '/' is sent percent-encoded. A single Range is honoured (bytes=N-, bytes=N-M, bytes=-N).\n\nCacheable: the bytes behind a name never change (the name starts with their SHA-256), so the answer says `Cache-Control: public, max-age=31536000, immutable` and its ETag is that digest; with If-None-Match naming it the answer is 304 without a body. An HTTP cache in front of the repository keeps checking credentials when it asks the manager first (docs/operations.md, \"HTTP caches\"); agents check every byte against the TUF metadata whatever served it.\n\nAccess: any valid credential: the administrator token, a user session (any role), an agent credential or the repository password.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     },
     {
      "agentCredential": []
     },
     {
      "repositoryPassword": []
     }
    ],
    "parameters": [
     {
      "name": "path",
      "in": "path",
      "required": true,
      "description": "The target's consistent name.",
      "schema": {
       "type": "string",
       "minLength": 1
      }
     },
     {
      "name": "Range",
      "in": "header",
      "required": false,
      "description": "One byte range, to resume a download.",
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "If-None-Match",
      "in": "header",
      "required": false,
      "description": "ETags from an earlier answer, comma-separated.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The package.",
      "headers": {
       "Accept-Ranges": {
        "$ref": "#/components/headers/AcceptRanges"
       },
       "Content-Length": {
        "$ref": "#/components/headers/ContentLength"
       },
       "ETag": {
        "$ref": "#/components/headers/TargetETag"
       },
       "Cache-Control": {
        "$ref": "#/components/headers/Immutable"
       }
      },
      "content": {
       "application/zip": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       }
      }
     },
     "206": {
      "description": "The requested range.",
      "headers": {
       "ETag": {
        "$ref": "#/components/headers/TargetETag"
       },
       "Cache-Control": {
        "$ref": "#/components/headers/Immutable"
       },
       "Accept-Ranges": {
        "$ref": "#/components/headers/AcceptRanges"
       },
       "Content-Range": {
        "$ref": "#/components/headers/ContentRange"
       },
       "Content-Length": {
        "$ref": "#/components/headers/ContentLength"
       }
      },
      "content": {
       "application/zip": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       }
      }
     },
     "304": {
      "description": "Unchanged since the ETag presented (it always is, for a name that exists).",
      "headers": {
       "ETag": {
        "$ref": "#/components/headers/TargetETag"
       },
       "Cache-Control": {
        "$ref": "#/components/headers/Immutable"
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "404": {
      "description": "No such target (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "416": {
      "description": "The range cannot be satisfied; no body (Content-Range: bytes */<size>).",
      "headers": {
       "Content-Range": {
        "$ref": "#/components/headers/ContentRange"
       }
      }
     },
     "502": {
      "description": "Remote mode: the remote repository failed (code remote-repository).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/repository/presence": {
   "post": {
    "operationId": "sendPresence",
    "x-exup-permission": "repository-or-administrator",
    "summary": "A manager that uses this repository says what its servers need.",
    "tags": [
     "Repository"
    ],
    "description": "Sent periodically (R141); two silent months retire the sender.\n\nAccess: the repository password (another manager) or the administrator token. Agents and user sessions get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "repositoryPassword": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Presence"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "This repository's version and the sender's deadline.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PresenceAnswer"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or manager is empty or over 255 characters.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/repository/platforms": {
   "get": {
    "operationId": "listPlatforms",
    "x-exup-permission": "read",
    "summary": "Served (model, OS) pairs.",
    "tags": [
     "Repository"
    ],
    "description": "Access: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "The pairs.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/ServedPlatform"
         }
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   },
   "post": {
    "operationId": "addPlatform",
    "x-exup-permission": "administer",
    "summary": "Serve a (model, OS) pair.",
    "tags": [
     "Repository"
    ],
    "description": "Serving an already served pair changes nothing. Retention runs after.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/PlatformRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "The served pairs.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/ServedPlatform"
         }
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or model is empty once trimmed, or os is not an os-release ID or ID:VERSION_ID.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/repository/platforms/remove": {
   "post": {
    "operationId": "removePlatform",
    "x-exup-permission": "administer",
    "summary": "Stop serving a (model, OS) pair.",
    "tags": [
     "Repository"
    ],
    "description": "Packages only it needed go at once.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/PlatformRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The served pairs.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/ServedPlatform"
         }
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or model is empty once trimmed, or os is not an os-release ID or ID:VERSION_ID.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "Not served (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/repository/packages": {
   "post": {
    "operationId": "uploadPackage",
    "x-exup-hand-routed": true,
    "summary": "Add an update package (Tables 13, 14).",
    "tags": [
     "Repository"
    ],
    "description": "The body is the package (a zip), streamed to disk with the size limit ([server] max-upload-mib, 4 GiB by default) enforced while it arrives, then verified and added. One file per request; its outcome is an AddResult.\n\nAdded is 201; every other outcome of a file that was read (not needed, already there, refused) is 200 with the AddResult saying why: a refused file is a result, not an error. Only request-level problems (credentials, mode, size, an empty body, remote mode) are errors. (Until this document, already-exists answered 409 and refusals 422, with the same body.)\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "mode",
      "in": "query",
      "required": false,
      "description": "Default needed.",
      "schema": {
       "$ref": "#/components/schemas/AddMode"
      }
     },
     {
      "name": "name",
      "in": "query",
      "required": false,
      "description": "The file's name, for the result and the log (first 255 characters; default upload.zip).",
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/zip": {
       "schema": {
        "type": "string",
        "format": "binary",
        "minLength": 1
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Processed and not added; the result says why: not needed by any served server (result warning, code not-needed), already in the repository (warning, already-exists), hash value or signature invalid (error, hash-invalid) or not a valid package (error, invalid). A refused file is a result, not an error.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/AddResult"
        }
       }
      }
     },
     "201": {
      "description": "Added (code added).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/AddResult"
        }
       }
      },
      "links": {
       "getPackage": {
        "operationId": "getPackage",
        "parameters": {
         "id": "$response.body#/packageID"
        }
       }
      }
     },
     "400": {
      "description": "mode is not needed or all, or the body is empty (code bad-request).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "409": {
      "description": "This manager uses a remote repository (code remote-repository).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "Over the upload limit (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "500": {
      "description": "The manager could not store the upload (code storage).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "get": {
    "operationId": "listPackages",
    "x-exup-permission": "read",
    "summary": "Every package with its indicators (Table 20).",
    "tags": [
     "Repository"
    ],
    "description": "Logged (N11).\n\nAccess: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "The packages, by id.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/PackageListing"
         }
        }
       }
      },
      "links": {
       "getPackage": {
        "operationId": "getPackage",
        "parameters": {
         "id": "$response.body#/0/id"
        }
       },
       "startExport": {
        "operationId": "startExport",
        "description": "Export the first package listed.",
        "requestBody": {
         "ids": [
          "$response.body#/0/id"
         ]
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   }
  },
  "/api/v1/repository/packages/{id}": {
   "get": {
    "operationId": "getPackage",
    "x-exup-permission": "read",
    "summary": "One package.",
    "tags": [
     "Repository"
    ],
    "description": "Logged (N10).\n\nAccess: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "The package id.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The package.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PackageListing"
        }
       }
      },
      "links": {
       "getTarget": {
        "operationId": "getTarget",
        "parameters": {
         "path": "models/-/{$response.body#/sha256}.{$response.body#/id}.zip"
        },
        "description": "The package file. Its TUF path is models/<model slug>/<sha256>.<id>.zip; the server finds the file by the digest that starts the last segment, so any directory serves it."
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such package (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/repository/packages/delete": {
   "post": {
    "operationId": "deletePackages",
    "x-exup-permission": "administer",
    "summary": "Delete packages (Table 16).",
    "tags": [
     "Repository"
    ],
    "description": "One result per id: an unknown id or one another manager uses is a result, not an error.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/DeleteRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "One result per id.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/DeleteResult"
         }
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or ids is empty.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/repository/deletion-history": {
   "get": {
    "operationId": "getDeletionHistory",
    "x-exup-permission": "read",
    "summary": "Deleted package ids that sync will not fetch again.",
    "tags": [
     "Repository"
    ],
    "description": "Access: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "The ids, sorted.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "type": "string"
         }
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   }
  },
  "/api/v1/repository/deletion-history/clear": {
   "post": {
    "operationId": "clearDeletionHistory",
    "x-exup-permission": "administer",
    "summary": "Forget the deletion history.",
    "tags": [
     "Repository"
    ],
    "description": "No body.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "How many entries were cleared.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/DeletionHistoryCleared"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   }
  },
  "/api/v1/repository/exports": {
   "post": {
    "operationId": "startExport",
    "x-exup-permission": "apply",
    "summary": "Start building an export archive.",
    "tags": [
     "Exports"
    ],
    "description": "Access: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/ExportRequest"
       }
      }
     }
    },
    "responses": {
     "202": {
      "description": "The job.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ExportStatus"
        }
       }
      },
      "links": {
       "getExport": {
        "operationId": "getExport",
        "parameters": {
         "id": "$response.body#/id"
        }
       },
       "downloadExport": {
        "operationId": "downloadExport",
        "parameters": {
         "id": "$response.body#/id"
        }
       },
       "cancelExport": {
        "operationId": "cancelExport",
        "parameters": {
         "id": "$response.body#/id"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or ids is empty.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "A package does not exist (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "Too many exports at once, or over the export quota (code export-quota).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/repository/exports/{id}": {
   "get": {
    "operationId": "getExport",
    "x-exup-permission": "apply",
    "summary": "An export job's progress.",
    "tags": [
     "Exports"
    ],
    "description": "Jobs live in memory: a restart forgets running ones; finished archives are served until they expire.\n\nAccess: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "The job's id (from startExport or saveServerModules).",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The job.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ExportStatus"
        }
       }
      },
      "links": {
       "downloadExport": {
        "operationId": "downloadExport",
        "parameters": {
         "id": "$response.body#/id"
        }
       },
       "cancelExport": {
        "operationId": "cancelExport",
        "parameters": {
         "id": "$response.body#/id"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such job (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "delete": {
    "operationId": "cancelExport",
    "x-exup-permission": "apply",
    "summary": "Cancel an export job, or remove its finished archive.",
    "tags": [
     "Exports"
    ],
    "description": "The job stays visible (getExport answers 200 with state cancelled, or running until the builder stops).\n\nAccess: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "The job's id (from startExport or saveServerModules).",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The job as it is now.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ExportStatus"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such job (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/repository/exports/{id}/archive": {
   "get": {
    "operationId": "downloadExport",
    "x-exup-hand-routed": true,
    "summary": "Download a finished export archive.",
    "tags": [
     "Exports"
    ],
    "description": "Access: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "description": "The job's id (from startExport or saveServerModules).",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The zip, streamed.",
      "headers": {
       "Content-Disposition": {
        "$ref": "#/components/headers/ContentDisposition"
       }
      },
      "content": {
       "application/zip": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such job, or it is not finished (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/log": {
   "get": {
    "operationId": "getLog",
    "x-exup-permission": "read",
    "summary": "The application log, oldest first, a page at a time.",
    "tags": [
     "Log"
    ],
    "description": "after, since and limit must be whole numbers (else 400, code bad-request).\n\nAccess: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "after",
      "in": "query",
      "required": false,
      "description": "Entries with a larger id (default 0).",
      "schema": {
       "type": "integer",
       "format": "int64"
      }
     },
     {
      "name": "since",
      "in": "query",
      "required": false,
      "description": "Entries at or after this time, seconds since 1970.",
      "schema": {
       "type": "integer",
       "format": "int64"
      }
     },
     {
      "name": "server",
      "in": "query",
      "required": false,
      "description": "Entries about this server.",
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "level",
      "in": "query",
      "required": false,
      "description": "Only this level.",
      "schema": {
       "$ref": "#/components/schemas/AppLogLevel"
      }
     },
     {
      "name": "grep",
      "in": "query",
      "required": false,
      "description": "Entries whose message, cause, actor, module or versions contain this text, or whose code is it.",
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "description": "At most this many entries (default 500); clamped to 1-5000.",
      "schema": {
       "type": "integer",
       "format": "int64"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The entries.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/AppLogRecord"
         }
        }
       }
      }
     },
     "400": {
      "description": "level is not info or error (code bad-request).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   }
  },
  "/api/v1/repository/sync": {
   "post": {
    "operationId": "startSync",
    "x-exup-permission": "apply-or-repository",
    "summary": "Start a sync from the upstream (\"Download update packages\").",
    "tags": [
     "Sync"
    ],
    "description": "Also another manager using this repository (repository password), whose name X-Exup-Manager gives. In remote mode the remote repository's answer is passed on. No body.\n\nAccess: the administrator token, a user session with the apply permission (administrator or operator), or the repository password. A viewer's session or an agent credential gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     },
     {
      "repositoryPassword": []
     }
    ],
    "parameters": [
     {
      "name": "X-Exup-Manager",
      "in": "header",
      "required": false,
      "description": "With the repository password: the asking manager's name (first 100 characters), for the log.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "202": {
      "description": "The sync's status.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SyncStatus"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "409": {
      "description": "No upstream (no-upstream), a sync is already running (sync-running); in remote mode, the remote repository's own refusal, with its code.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "502": {
      "description": "In remote mode, the remote repository cannot be reached or answered what this manager cannot read (code remote-repository).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "get": {
    "operationId": "getSyncStatus",
    "x-exup-permission": "read-or-repository",
    "summary": "The current or last sync.",
    "tags": [
     "Sync"
    ],
    "description": "Access: any user session, the administrator token, or the repository password. An agent credential gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     },
     {
      "repositoryPassword": []
     }
    ],
    "responses": {
     "200": {
      "description": "The sync's status (state idle when none ran).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SyncStatus"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "502": {
      "description": "In remote mode, the remote repository cannot be reached or answered what this manager cannot read (code remote-repository).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/repository/sync/cancel": {
   "post": {
    "operationId": "cancelSync",
    "x-exup-permission": "apply",
    "summary": "Cancel the running sync (a partial download is kept).",
    "tags": [
     "Sync"
    ],
    "description": "No body.\n\nAccess: the administrator token, or a user session with the apply permission (role administrator or operator). A viewer's session, an agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "Cancelling.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SyncCancelling"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "409": {
      "description": "No sync running (sync-not-running), no upstream (no-upstream), or remote mode (remote-repository).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/repository/settings": {
   "get": {
    "operationId": "getRepositorySettings",
    "x-exup-permission": "read",
    "summary": "Upstream, schedule, proxy and initial status icon.",
    "tags": [
     "Sync"
    ],
    "description": "Access: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "The settings.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/RepositorySettings"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   },
   "post": {
    "operationId": "saveRepositorySettings",
    "x-exup-permission": "administer",
    "summary": "Change the sync schedule, the proxy and the initial status icon.",
    "tags": [
     "Sync"
    ],
    "description": "Checked first as saving does in the seed (R106: the proxy, and the upstream through it); logged N16 or E13; kept across restarts over manager.toml's values.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/SaveSettingsRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Saved.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SettingsSaved"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or a value is out of range, or the settings file cannot be written (also 400).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "409": {
      "description": "The check failed; nothing saved (code check-failed).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/repository/password/rotate": {
   "post": {
    "operationId": "rotateRepositoryPassword",
    "x-exup-permission": "administer",
    "summary": "A new repository password, in force at once.",
    "tags": [
     "Sync"
    ],
    "description": "Managers that use this repository need the new one. No body.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "The new password (shown once).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/RotatedPassword"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   }
  },
  "/api/v1/repository/settings/check": {
   "post": {
    "operationId": "checkRepositorySettings",
    "x-exup-permission": "administer",
    "summary": "Check the proxy, the upstream and its password.",
    "tags": [
     "Sync"
    ],
    "description": "Logged N16 or E13. No body.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "ok, or the problem in words.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SettingsCheck"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "409": {
      "description": "No upstream configured (code no-upstream).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/login": {
   "post": {
    "operationId": "login",
    "x-exup-permission": "none",
    "x-exup-body-limit": 16384,
    "summary": "Open a user session.",
    "tags": [
     "Users"
    ],
    "description": "The token goes in Authorization: Bearer on later requests (the web pages' exup_session cookie is not accepted by the JSON API). Failed logins are throttled per source and name.\n\nAccess: no credential needed.",
    "security": [],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/LoginRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "The session.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/LoginResult"
        }
       }
      },
      "links": {
       "setUserPassword": {
        "operationId": "setUserPassword",
        "parameters": {
         "name": "$response.body#/user"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or the name is not 1-128 bytes or the password over 1024 bytes (code invalid).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Wrong user name or password (code wrong-credentials).",
      "headers": {
       "WWW-Authenticate": {
        "$ref": "#/components/headers/WWWAuthenticate"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 16384 bytes (code too-large), room for the longest name and password even with every character escaped.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "429": {
      "description": "Too many failed logins (too-many-failures), or too many being checked (busy).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/logout": {
   "post": {
    "operationId": "logout",
    "x-exup-permission": "session",
    "summary": "End this user session.",
    "tags": [
     "Users"
    ],
    "description": "No body. A credential that is not a user session (the administrator token) is refused with 403 not-a-session.\n\nAccess: any user session (role administrator, operator or viewer). The administrator token, an agent credential or the repository password gets 403.",
    "security": [
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "Ended.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/LoggedOut"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "description": "The credential is not a user session (the administrator token; code not-a-session), or not one that may read (code forbidden).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/users": {
   "get": {
    "operationId": "listUsers",
    "x-exup-permission": "administer",
    "summary": "Users and their roles.",
    "tags": [
     "Users"
    ],
    "description": "Access: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "responses": {
     "200": {
      "description": "The users, by name.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/UserSummary"
         }
        }
       }
      },
      "links": {
       "removeUser": {
        "operationId": "removeUser",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       },
       "setUserPassword": {
        "operationId": "setUserPassword",
        "parameters": {
         "name": "$response.body#/0/name"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     }
    }
   },
   "post": {
    "operationId": "createUser",
    "x-exup-permission": "administer",
    "summary": "Add a user.",
    "tags": [
     "Users"
    ],
    "description": "The answer is every user, not the new one: the links take the name from the request.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/CreateUserRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Every user.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/UserSummary"
         }
        }
       }
      },
      "links": {
       "removeUser": {
        "operationId": "removeUser",
        "parameters": {
         "name": "$request.body#/name"
        }
       },
       "setUserPassword": {
        "operationId": "setUserPassword",
        "parameters": {
         "name": "$request.body#/name"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or role is not a UserRole, the name is not 1-64 letters, digits, '-', '_', '.', '@', or the password is under 8 characters (code invalid).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "409": {
      "description": "A user of that name exists (code user-exists).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/users/{name}/remove": {
   "post": {
    "operationId": "removeUser",
    "x-exup-permission": "administer",
    "summary": "Remove a user; their sessions end.",
    "tags": [
     "Users"
    ],
    "description": "No body.\n\nAccess: the administrator token, or a user session of role administrator. Operators, viewers, agent credentials and the repository password get 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A user's name.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "The remaining users.",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/UserSummary"
         }
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthorized"
     },
     "403": {
      "$ref": "#/components/responses/Forbidden"
     },
     "404": {
      "description": "No such user (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "The last administrator (code last-administrator).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/api/v1/users/{name}/password": {
   "post": {
    "operationId": "setUserPassword",
    "x-exup-permission": "read",
    "summary": "Set a password; the user's sessions end.",
    "tags": [
     "Users"
    ],
    "description": "Every session of the user ends, the caller's own included when it changes its own password (log in again). A user session may change its own user's password, with currentPassword (a failed check counts as a failed login). The administrator token or an administrator's session may set anyone's without it.\n\nAccess: any user session (role administrator, operator or viewer) or the administrator token. An agent credential or the repository password gets 403.",
    "security": [
     {
      "adminToken": []
     },
     {
      "userSession": []
     }
    ],
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "description": "A user's name.",
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/SetPasswordRequest"
       }
      }
     }
    },
    "responses": {
     "200": {
      "description": "Changed.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PasswordChanged"
        }
       }
      }
     },
     "400": {
      "description": "The body is not JSON, not an object, has an unknown top-level field, a wrong type (a fraction where an integer is expected) or a missing field (code bad-request); or the password is under 8 characters or over 1024 bytes, or currentPassword is missing for one's own (codes invalid, current-password-required).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Missing or unknown credential (unauthenticated), or a wrong currentPassword (wrong-current-password).",
      "headers": {
       "WWW-Authenticate": {
        "$ref": "#/components/headers/WWWAuthenticate"
       }
      },
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "Another user's password without the administrator role, or an agent credential or the repository password (code forbidden).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "No such user (code not-found).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "The body is over 1 MiB (code too-large).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "429": {
      "description": "Too many failed current-password checks (too-many-failures), or too many being checked (busy).",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  }
 },
 "components": {
  "schemas": {
   "ErrorCode": {
    "type": "string",
    "description": "What scripts branch on. `unauthenticated` — 401: no Authorization: Bearer header, or a credential the server does not know (expired session, revoked agent). `forbidden` — 403: a valid credential without the permission the operation needs. `not-found` — 404: the named server, agent, group, user, schedule, export, package, platform, metadata file or target does not exist; also any unknown /api/ path or method. `bad-request` — 400: the body is not JSON, not an object, has an unknown field, a wrong type, a missing field; or a query value is not one the operation takes. `too-large` — 413: the body is over the operation's limit. `storage` — 500: the server could not store an upload (BodyFile); 400 when an enrolment could not be stored (ManagerError kind invalid). `export-quota` — 409: too many exports are being built, or the archive would not fit the export quota. `remote-repository` — 409 (uploads, sync cancel) or 502 (metadata, targets): this manager uses another manager's repository. `sync-running` — 409: a repository update is already running. `sync-not-running` — 409: no repository update is running. `no-upstream` — 409: no [repository.upstream] url is configured. `check-failed` — 409: the repository settings check failed; nothing was saved. `not-a-session` — 403: POST /api/v1/logout with a credential that is not a user session. `method-not-allowed` — 405: the path exists, not with this method (the Allow header lists its methods). `own-canary` — 409: the policy of a group names that group as its own canary. `unknown-canary` — 409: the policy of a group names a canary group that does not exist. `invalid` — 400: a value the manager refuses (name, password, time, range, schema version). `bad-token` — 401: not an enrolment token, or an unknown one. `token-expired` — 401: the enrolment token has expired. `token-used` — 401: the enrolment token has been used up. `name-taken` — 409: an agent of that name is enrolled and re-enrolment is not allowed. `too-many-failures` — 429: too many refused logins or enrolment tokens from this source: wait the seconds the message gives. `busy` — 429: too many passwords are being checked at once. `wrong-credentials` — 401: wrong user name or password (login). `wrong-current-password` — 401: the current password given when changing one's own password is wrong. `current-password-required` — 400: a user changing their own password must send currentPassword. `user-exists` — 409: a user of that name exists. `last-administrator` — 409: the last administrator cannot be removed. `group-exists` — 409: a group of that name exists. `schedule-started` — 409: the remote batch is running or has run. `no-report` — 409: the server has not reported its inventory yet. `run-open` — 409: the server has open items (automatic approvals only). `nothing-to-approve` — 409: the server has no pending updates. `refused` — 409: the approval or uninstall is refused; the message names each module and why. `not-installed` — 409: the module is not installed on the server. `no-uninstaller` — 409: no package in the repository can uninstall the installed version. `no-download-only-package` — 409: a module has no download-only package to save. `not-requested` — 409: no log bundle was requested from this agent. `unknown-item-state` — 400: the database holds an approval item state this release does not know (damage).",
    "enum": [
     "unauthenticated",
     "forbidden",
     "not-found",
     "bad-request",
     "too-large",
     "storage",
     "export-quota",
     "remote-repository",
     "sync-running",
     "sync-not-running",
     "no-upstream",
     "check-failed",
     "not-a-session",
     "method-not-allowed",
     "own-canary",
     "unknown-canary",
     "invalid",
     "bad-token",
     "token-expired",
     "token-used",
     "name-taken",
     "too-many-failures",
     "busy",
     "wrong-credentials",
     "wrong-current-password",
     "current-password-required",
     "user-exists",
     "last-administrator",
     "group-exists",
     "schedule-started",
     "no-report",
     "run-open",
     "nothing-to-approve",
     "refused",
     "not-installed",
     "no-uninstaller",
     "no-download-only-package",
     "not-requested",
     "unknown-item-state"
    ]
   },
   "ErrorDetail": {
    "type": "object",
    "properties": {
     "code": {
      "$ref": "#/components/schemas/ErrorCode"
     },
     "message": {
      "type": "string",
      "description": "What went wrong, in words."
     }
    },
    "required": [
     "code",
     "message"
    ]
   },
   "Error": {
    "type": "object",
    "description": "Every error answer that has a body: {\"error\": {\"code\", \"message\"}} (APIError.response).",
    "properties": {
     "error": {
      "$ref": "#/components/schemas/ErrorDetail"
     }
    },
    "required": [
     "error"
    ]
   },
   "UserRole": {
    "type": "string",
    "description": "administrator: everything; operator: may apply (approve, cancel, uninstall, export, download-only icons); viewer: reads.",
    "enum": [
     "administrator",
     "operator",
     "viewer"
    ]
   },
   "ServerStatus": {
    "type": "string",
    "description": "Table 10, highest priority first.",
    "enum": [
     "communication-failure",
     "unknown",
     "applying",
     "uninstalling",
     "update-available",
     "apply-failed",
     "reboot-required",
     "latest"
    ]
   },
   "ModuleStatus": {
    "type": "string",
    "description": "Tables 8 and 9 (manual-* are the icons of download-only modules).",
    "enum": [
     "update-available",
     "applying",
     "uninstalling",
     "rebooting",
     "waiting-apply",
     "waiting-uninstall",
     "cancelled",
     "reboot-required",
     "latest",
     "apply-failed",
     "communication-failure",
     "no-package",
     "manual-latest",
     "manual-update-available",
     "manual-no-package"
    ]
   },
   "ManualIcon": {
    "type": "string",
    "description": "A download-only module's status icon (Table 9).",
    "enum": [
     "latest",
     "update-available",
     "no-package"
    ]
   },
   "GroupFilter": {
    "type": "string",
    "description": "Table 21.",
    "enum": [
     "all",
     "latest",
     "update-available",
     "applying",
     "reboot-required",
     "apply-failed",
     "uninstalling"
    ]
   },
   "ServerFilter": {
    "type": "string",
    "description": "The group filters except all, plus the two server statuses no module shows.",
    "enum": [
     "latest",
     "update-available",
     "applying",
     "reboot-required",
     "apply-failed",
     "uninstalling",
     "communication-failure",
     "unknown"
    ]
   },
   "ItemLifecycle": {
    "type": "string",
    "description": "An approved item's state: pending (cancellable), downloading, started (no longer cancellable), then a result.",
    "enum": [
     "pending",
     "downloading",
     "started",
     "succeeded",
     "failed",
     "cancelled",
     "reboot-required"
    ]
   },
   "ItemKind": {
    "type": "string",
    "description": "apply installs a package; uninstall runs its Uninstall program.",
    "enum": [
     "apply",
     "uninstall"
    ]
   },
   "ModuleActivity": {
    "type": "string",
    "description": "What is happening to a module, from the agent's journal.",
    "enum": [
     "idle",
     "waiting-apply",
     "applying",
     "waiting-uninstall",
     "uninstalling",
     "rebooting",
     "reboot-required",
     "apply-failed",
     "cancelled"
    ]
   },
   "SensorState": {
    "type": "string",
    "enum": [
     "nominal",
     "warning",
     "critical",
     "unknown"
    ]
   },
   "OnLostContact": {
    "type": "string",
    "description": "stop: finish the running item, cancel the rest, no reboot (seed §4.1). continue: carry on.",
    "enum": [
     "stop",
     "continue"
    ]
   },
   "ExportState": {
    "type": "string",
    "enum": [
     "running",
     "done",
     "failed",
     "cancelled"
    ]
   },
   "SyncState": {
    "type": "string",
    "enum": [
     "idle",
     "running",
     "succeeded",
     "failed",
     "cancelled"
    ]
   },
   "ScheduleTargetKind": {
    "type": "string",
    "enum": [
     "server",
     "group"
    ]
   },
   "ScheduleState": {
    "type": "string",
    "enum": [
     "waiting",
     "running",
     "done",
     "failed"
    ]
   },
   "AddMode": {
    "type": "string",
    "description": "Table 13. needed: only packages a served server needs (subject to retention); all: every valid package, pinned.",
    "enum": [
     "needed",
     "all"
    ]
   },
   "AddResultCode": {
    "type": "string",
    "description": "Table 14.",
    "enum": [
     "added",
     "hash-invalid",
     "invalid",
     "not-needed",
     "already-exists"
    ]
   },
   "DeleteResultCode": {
    "type": "string",
    "description": "Table 16.",
    "enum": [
     "deleted",
     "in-use-by-another-manager",
     "not-found",
     "remote-repository"
    ]
   },
   "AppLogLevel": {
    "type": "string",
    "enum": [
     "info",
     "error"
    ]
   },
   "ProxyAuthentication": {
    "type": "string",
    "description": "Case-insensitive on input (\"Basic\" is taken); ntlm, negotiate and kerberos are refused.",
    "enum": [
     "any",
     "basic",
     "digest"
    ]
   },
   "ReportOutcomeValue": {
    "type": "string",
    "description": "accepted: stored; duplicate: a sequence number the manager already has (a resend), nothing changed.",
    "enum": [
     "accepted",
     "duplicate"
    ]
   },
   "EnrolmentRequest": {
    "type": "object",
    "description": "Unknown fields are refused (400). At most 16 KiB.",
    "properties": {
     "token": {
      "type": "string",
      "description": "exup1.<secret>.<sha256 of root.json, 64 characters>, from POST /api/v1/agents/tokens.",
      "pattern": "^exup1\\.[A-Za-z0-9_-]+\\.[0-9a-f]{64}$"
     },
     "name": {
      "type": "string",
      "description": "The server's name: 1-128 letters (any script), digits, '-', '_', '.' or '@' after leading and trailing spaces, tabs and newlines are trimmed. The pattern lists the ASCII subset.",
      "pattern": "^[A-Za-z0-9._@-]{1,128}$"
     },
     "hostname": {
      "type": "string",
      "description": "Logged with the enrolment."
     }
    },
    "required": [
     "token",
     "name",
     "hostname"
    ],
    "additionalProperties": false
   },
   "EnrolmentResponse": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "description": "The name the agent was enrolled under (trimmed)."
     },
     "credential": {
      "type": "string",
      "description": "The agent's own credential (<id>.<secret>): Authorization: Bearer on every later request. Shown once."
     },
     "root": {
      "type": "string",
      "description": "The repository's current root.json, base64; its SHA-256 is the token's last part.",
      "contentEncoding": "base64"
     },
     "pollIntervalSeconds": {
      "type": "integer"
     }
    },
    "required": [
     "name",
     "credential",
     "root",
     "pollIntervalSeconds"
    ]
   },
   "ApprovalOptions": {
    "type": "object",
    "properties": {
     "allowReboot": {
      "type": "boolean"
     },
     "latestOnly": {
      "type": "boolean"
     },
     "notBefore": {
      "type": "integer",
      "format": "int64",
      "description": "Not before this time, seconds since 1970 (UTC); absent: at once."
     },
     "downloadFirst": {
      "type": "boolean"
     },
     "onLostContact": {
      "$ref": "#/components/schemas/OnLostContact"
     },
     "overrideHealthGate": {
      "type": "boolean"
     }
    },
    "required": [
     "allowReboot",
     "latestOnly",
     "downloadFirst",
     "onLostContact",
     "overrideHealthGate"
    ]
   },
   "DirectiveItem": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer",
      "format": "int64"
     },
     "kind": {
      "$ref": "#/components/schemas/ItemKind"
     },
     "moduleID": {
      "type": "string"
     },
     "packageID": {
      "type": "string",
      "description": "Absent with latestAtRunTime: the agent picks the newest package when the run starts."
     },
     "version": {
      "type": "string"
     },
     "latestAtRunTime": {
      "type": "boolean"
     },
     "options": {
      "$ref": "#/components/schemas/ApprovalOptions"
     }
    },
    "required": [
     "id",
     "kind",
     "moduleID",
     "latestAtRunTime",
     "options"
    ]
   },
   "Directives": {
    "type": "object",
    "properties": {
     "version": {
      "type": "integer",
      "format": "int64",
      "description": "Also the ETag (\"d<version>\")."
     },
     "pollIntervalSeconds": {
      "type": "integer"
     },
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/DirectiveItem"
      },
      "description": "Open items in approval order (the agent's own uninstall last)."
     },
     "uploadLogBundle": {
      "type": "boolean",
      "description": "Upload a log bundle (POST /api/v1/agent/logs) now."
     }
    },
    "required": [
     "version",
     "pollIntervalSeconds",
     "items",
     "uploadLogBundle"
    ]
   },
   "OSIdentity": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "description": "os-release ID (debian, rhel, …)."
     },
     "versionID": {
      "type": [
       "string",
       "null"
      ],
      "description": "os-release VERSION_ID."
     }
    },
    "required": [
     "id"
    ]
   },
   "AgentIdentity": {
    "type": "object",
    "properties": {
     "model": {
      "type": [
       "string",
       "null"
      ]
     },
     "os": {
      "anyOf": [
       {
        "$ref": "#/components/schemas/OSIdentity"
       },
       {
        "type": "null"
       }
      ]
     },
     "hostname": {
      "type": "string"
     },
     "bootID": {
      "type": [
       "string",
       "null"
      ]
     },
     "agentVersion": {
      "type": "string"
     }
    },
    "required": [
     "hostname",
     "agentVersion"
    ]
   },
   "ModuleReading": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "version": {
      "type": [
       "string",
       "null"
      ],
      "description": "Absent when not installed or unreadable (then error says why)."
     },
     "source": {
      "type": "string",
      "description": "ipmi:get-device-id, ipmi:get-system-info, ipmi:sdr-oem-record, smbios:bios_version, dpkg, rpm, agent."
     },
     "detail": {
      "type": [
       "string",
       "null"
      ]
     },
     "error": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "id",
     "name",
     "source"
    ]
   },
   "SensorReading": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "type": {
      "type": "string"
     },
     "reading": {
      "type": [
       "number",
       "null"
      ]
     },
     "unit": {
      "type": "string"
     },
     "state": {
      "$ref": "#/components/schemas/SensorState"
     }
    },
    "required": [
     "name",
     "type",
     "unit",
     "state"
    ]
   },
   "ReportItemState": {
    "type": "object",
    "properties": {
     "itemID": {
      "type": "integer",
      "format": "int64"
     },
     "state": {
      "$ref": "#/components/schemas/ItemLifecycle"
     },
     "percent": {
      "type": [
       "integer",
       "null"
      ],
      "format": "int64"
     },
     "message": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "itemID",
     "state"
    ]
   },
   "AgentReport": {
    "type": "object",
    "description": "Unknown top-level fields are refused (400); nested objects ignore unknown fields. At most 1 MiB.",
    "properties": {
     "schema": {
      "type": "integer",
      "description": "The report schema version; anything else is refused (400, code invalid).",
      "enum": [
       1
      ]
     },
     "sequence": {
      "type": "integer",
      "format": "int64",
      "description": "Grows by one per report; a sequence the manager has is answered duplicate."
     },
     "identity": {
      "$ref": "#/components/schemas/AgentIdentity"
     },
     "modules": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/ModuleReading"
      }
     },
     "sensors": {
      "type": [
       "array",
       "null"
      ],
      "items": {
       "$ref": "#/components/schemas/SensorReading"
      }
     },
     "activities": {
      "type": "object",
      "description": "Module id → activity.",
      "additionalProperties": {
       "$ref": "#/components/schemas/ModuleActivity"
      }
     },
     "previousVersions": {
      "type": "object",
      "description": "Module id → the version before the last apply.",
      "additionalProperties": {
       "type": "string"
      }
     },
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/ReportItemState"
      }
     },
     "refusals": {
      "type": "array",
      "items": {
       "type": "string"
      },
      "description": "Metadata or packages the agent refused, in words."
     },
     "problems": {
      "type": [
       "array",
       "null"
      ],
      "items": {
       "type": "string"
      }
     },
     "pollIntervalSeconds": {
      "type": [
       "integer",
       "null"
      ],
      "format": "int64"
     }
    },
    "required": [
     "schema",
     "sequence",
     "identity",
     "modules",
     "activities",
     "previousVersions",
     "items",
     "refusals"
    ],
    "additionalProperties": false
   },
   "ReportOutcome": {
    "type": "object",
    "properties": {
     "outcome": {
      "$ref": "#/components/schemas/ReportOutcomeValue"
     }
    },
    "required": [
     "outcome"
    ]
   },
   "LogBundleStored": {
    "type": "object",
    "properties": {
     "stored": {
      "type": "integer",
      "format": "int64",
      "description": "Bytes received."
     }
    },
    "required": [
     "stored"
    ]
   },
   "LogBundleFailure": {
    "type": "object",
    "description": "Absent or null reason: \"no reason given\".",
    "properties": {
     "reason": {
      "type": [
       "string",
       "null"
      ],
      "description": "Why the bundle cannot be sent (logged, first 2000 characters)."
     }
    },
    "additionalProperties": false
   },
   "LogBundleFailureRecorded": {
    "type": "object",
    "properties": {
     "recorded": {
      "type": "string",
      "description": "The agent's name."
     }
    },
    "required": [
     "recorded"
    ]
   },
   "CreateTokenRequest": {
    "type": "object",
    "properties": {
     "expiresInSeconds": {
      "type": [
       "integer",
       "null"
      ],
      "format": "int64",
      "minimum": 1,
      "maximum": 7776000,
      "description": "Default 86400."
     },
     "uses": {
      "type": [
       "integer",
       "null"
      ],
      "minimum": 1,
      "maximum": 10000,
      "description": "Default 1."
     },
     "group": {
      "type": [
       "string",
       "null"
      ],
      "description": "Servers enrolled with the token join this group (it must exist: 404 otherwise)."
     }
    },
    "additionalProperties": false
   },
   "CreatedToken": {
    "type": "object",
    "properties": {
     "token": {
      "type": "string",
      "description": "exup1.<secret>.<sha256 of root.json>; shown once. Its id (for revokeToken) is the first 12 hex digits of SHA-256(<secret>), which this answer does not give (see listTokens)."
     }
    },
    "required": [
     "token"
    ]
   },
   "EnrolmentTokenSummary": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "description": "The first 12 hex digits of the SHA-256 of the secret; revokeToken takes 8 or more of them.",
      "pattern": "^[0-9a-f]{12}$"
     },
     "created": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "expires": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "usesLeft": {
      "type": "integer"
     },
     "group": {
      "type": "string"
     }
    },
    "required": [
     "id",
     "created",
     "expires",
     "usesLeft"
    ]
   },
   "TokenRevoked": {
    "type": "object",
    "properties": {
     "revoked": {
      "type": "string",
      "description": "The id as given."
     }
    },
    "required": [
     "revoked"
    ]
   },
   "AgentSummary": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "enrolledAt": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "lastSeen": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "revoked": {
      "type": "boolean"
     },
     "reportSequence": {
      "type": "integer",
      "format": "int64"
     }
    },
    "required": [
     "name",
     "enrolledAt",
     "lastSeen",
     "revoked",
     "reportSequence"
    ]
   },
   "AgentRevoked": {
    "type": "object",
    "properties": {
     "revoked": {
      "type": "string",
      "description": "The agent's name."
     }
    },
    "required": [
     "revoked"
    ]
   },
   "AgentCredential": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "credential": {
      "type": "string",
      "description": "The new credential; the old one stops working at once. Shown once."
     }
    },
    "required": [
     "name",
     "credential"
    ]
   },
   "ReenrolmentAllowed": {
    "type": "object",
    "properties": {
     "allowed": {
      "type": "string",
      "description": "The agent's name."
     }
    },
    "required": [
     "allowed"
    ]
   },
   "ServerSummary": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "status": {
      "$ref": "#/components/schemas/ServerStatus"
     },
     "statusText": {
      "type": "string",
      "description": "The status in the seed's words."
     },
     "model": {
      "type": "string"
     },
     "os": {
      "type": "string",
      "description": "ID or ID:VERSION_ID."
     },
     "lastSeen": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     }
    },
    "required": [
     "name",
     "status",
     "statusText",
     "lastSeen"
    ]
   },
   "RunItem": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer",
      "format": "int64"
     },
     "kind": {
      "$ref": "#/components/schemas/ItemKind"
     },
     "module": {
      "type": "string"
     },
     "packageID": {
      "type": "string"
     },
     "version": {
      "type": "string"
     },
     "state": {
      "$ref": "#/components/schemas/ItemLifecycle"
     },
     "percent": {
      "type": "integer"
     },
     "message": {
      "type": "string"
     }
    },
    "required": [
     "id",
     "kind",
     "module",
     "state"
    ]
   },
   "ServerRun": {
    "type": "object",
    "properties": {
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/RunItem"
      }
     },
     "percent": {
      "type": "integer",
      "description": "Overall progress, 0-100."
     }
    },
    "required": [
     "items",
     "percent"
    ]
   },
   "ServerModule": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "current": {
      "type": "string"
     },
     "available": {
      "type": "string",
      "description": "The newest version the repository offers for this module on this server."
     },
     "status": {
      "$ref": "#/components/schemas/ModuleStatus"
     },
     "statusText": {
      "type": "string"
     },
     "source": {
      "type": "string"
     },
     "previous": {
      "type": "string",
      "description": "The version before the last apply ([*] in the picker)."
     },
     "choices": {
      "type": "array",
      "items": {
       "type": "string"
      },
      "description": "Versions an approval may name with latestOnly on."
     },
     "choicesAllVersions": {
      "type": "array",
      "items": {
       "type": "string"
      },
      "description": "Versions an approval may name with latestOnly off."
     },
     "uninstallable": {
      "type": "boolean"
     }
    },
    "required": [
     "id",
     "name",
     "status",
     "statusText",
     "source",
     "choices",
     "choicesAllVersions",
     "uninstallable"
    ]
   },
   "ServerDetail": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "status": {
      "$ref": "#/components/schemas/ServerStatus"
     },
     "statusText": {
      "type": "string"
     },
     "reason": {
      "type": "string",
      "description": "Why the status is unknown (no report yet, model unreadable)."
     },
     "model": {
      "type": "string"
     },
     "os": {
      "type": "string"
     },
     "lastSeen": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "modules": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/ServerModule"
      }
     },
     "run": {
      "$ref": "#/components/schemas/ServerRun"
     }
    },
    "required": [
     "name",
     "status",
     "statusText",
     "lastSeen",
     "modules",
     "run"
    ]
   },
   "ModuleChoice": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string",
      "description": "A module id the server reports."
     },
     "version": {
      "type": [
       "string",
       "null"
      ],
      "description": "A version the picker offers; absent: the newest."
     }
    },
    "required": [
     "id"
    ]
   },
   "ApproveRequest": {
    "type": "object",
    "description": "All fields optional; send {} to approve every update.",
    "properties": {
     "modules": {
      "type": [
       "array",
       "null"
      ],
      "items": {
       "$ref": "#/components/schemas/ModuleChoice"
      },
      "description": "Absent or empty: every module with an update."
     },
     "allowReboot": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Default false."
     },
     "latestOnly": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Default true."
     },
     "notBefore": {
      "type": [
       "integer",
       "null"
      ],
      "format": "int64",
      "description": "Seconds since 1970, UTC."
     },
     "downloadFirst": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Default false."
     },
     "onLostContact": {
      "anyOf": [
       {
        "$ref": "#/components/schemas/OnLostContact"
       },
       {
        "type": "null"
       }
      ]
     },
     "overrideHealthGate": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Default false."
     },
     "latestAtRunTime": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Default false: the newest version now; true: the newest when the agent starts."
     }
    },
    "additionalProperties": false
   },
   "CancelRefusal": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer",
      "format": "int64"
     },
     "module": {
      "type": "string"
     },
     "reason": {
      "type": "string"
     }
    },
    "required": [
     "id",
     "module",
     "reason"
    ]
   },
   "CancelOutcome": {
    "type": "object",
    "properties": {
     "cancelled": {
      "type": "array",
      "items": {
       "type": "integer",
       "format": "int64"
      }
     },
     "refused": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/CancelRefusal"
      }
     }
    },
    "required": [
     "cancelled",
     "refused"
    ]
   },
   "UninstallRequest": {
    "type": "object",
    "properties": {
     "module": {
      "type": "string"
     },
     "allowReboot": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Default false."
     }
    },
    "required": [
     "module"
    ],
    "additionalProperties": false
   },
   "LogsRequested": {
    "type": "object",
    "properties": {
     "requested": {
      "type": "string",
      "description": "The server's name."
     }
    },
    "required": [
     "requested"
    ]
   },
   "SaveRequest": {
    "type": "object",
    "properties": {
     "modules": {
      "type": "array",
      "items": {
       "type": "string"
      },
      "description": "Module ids of the server; each needs a download-only package."
     },
     "onlyDisplayedVersion": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Default true: only the newest package of each module."
     },
     "setIconAfterSave": {
      "anyOf": [
       {
        "$ref": "#/components/schemas/ManualIcon"
       },
       {
        "type": "null"
       }
      ]
     }
    },
    "required": [
     "modules"
    ],
    "additionalProperties": false
   },
   "ModuleStatusRequest": {
    "type": "object",
    "description": "A JSON object of strings: null is refused.",
    "properties": {
     "icon": {
      "$ref": "#/components/schemas/ManualIcon"
     }
    },
    "required": [
     "icon"
    ],
    "additionalProperties": false
   },
   "ExportStatus": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "state": {
      "$ref": "#/components/schemas/ExportState"
     },
     "done": {
      "type": "integer"
     },
     "total": {
      "type": "integer"
     },
     "error": {
      "type": "string"
     },
     "expiresAt": {
      "type": "string",
      "format": "date-time",
      "description": "When a finished archive is removed."
     }
    },
    "required": [
     "id",
     "state",
     "done",
     "total"
    ]
   },
   "GroupMember": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "status": {
      "$ref": "#/components/schemas/ServerStatus"
     },
     "statusText": {
      "type": "string"
     },
     "percent": {
      "type": "integer",
      "description": "Progress of its current run, when one is open."
     }
    },
    "required": [
     "name",
     "status",
     "statusText"
    ]
   },
   "GroupPolicy": {
    "type": "object",
    "properties": {
     "autoApprove": {
      "type": "boolean"
     },
     "delayDays": {
      "type": "integer",
      "minimum": 0,
      "maximum": 365
     },
     "canaryGroup": {
      "type": [
       "string",
       "null"
      ],
      "description": "Another existing group (409 unknown-canary otherwise; the group itself: 409 own-canary)."
     },
     "maxCanaryFailurePercent": {
      "type": "integer",
      "minimum": 0,
      "maximum": 100
     },
     "canaryWindowDays": {
      "type": "integer",
      "minimum": 1,
      "maximum": 365
     },
     "allowReboot": {
      "type": "boolean"
     }
    },
    "required": [
     "autoApprove",
     "delayDays",
     "maxCanaryFailurePercent",
     "canaryWindowDays",
     "allowReboot"
    ]
   },
   "GroupPolicyRequest": {
    "type": "object",
    "properties": {
     "autoApprove": {
      "type": "boolean"
     },
     "delayDays": {
      "type": "integer",
      "minimum": 0,
      "maximum": 365
     },
     "canaryGroup": {
      "type": [
       "string",
       "null"
      ],
      "description": "Another existing group (409 unknown-canary otherwise; the group itself: 409 own-canary)."
     },
     "maxCanaryFailurePercent": {
      "type": "integer",
      "minimum": 0,
      "maximum": 100
     },
     "canaryWindowDays": {
      "type": "integer",
      "minimum": 1,
      "maximum": 365
     },
     "allowReboot": {
      "type": "boolean"
     }
    },
    "required": [
     "autoApprove",
     "delayDays",
     "maxCanaryFailurePercent",
     "canaryWindowDays",
     "allowReboot"
    ],
    "additionalProperties": false,
    "description": "Every field but canaryGroup is required. The API sets a policy and pauses or resumes it; it does not remove one."
   },
   "GroupView": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "filter": {
      "$ref": "#/components/schemas/GroupFilter"
     },
     "servers": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/GroupMember"
      },
      "description": "Members whose agent answers, filtered (all: every member)."
     },
     "counts": {
      "type": "object",
      "description": "Server status → number of members (all members, before the filter).",
      "additionalProperties": {
       "type": "integer"
      }
     },
     "percent": {
      "type": "integer",
      "description": "Overall progress of the members' current runs; absent when none runs."
     },
     "policy": {
      "$ref": "#/components/schemas/GroupPolicy"
     }
    },
    "required": [
     "name",
     "filter",
     "servers",
     "counts"
    ]
   },
   "CreateGroupRequest": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "description": "1-64 ASCII letters, digits, '-', '_', '.' or '@'.",
      "pattern": "^[A-Za-z0-9._@-]{1,64}$"
     }
    },
    "required": [
     "name"
    ],
    "additionalProperties": false
   },
   "GroupMembersRequest": {
    "type": "object",
    "properties": {
     "add": {
      "type": [
       "array",
       "null"
      ],
      "items": {
       "type": "string"
      },
      "description": "Enrolled, not revoked servers (404 otherwise)."
     },
     "remove": {
      "type": [
       "array",
       "null"
      ],
      "items": {
       "type": "string"
      }
     }
    },
    "additionalProperties": false
   },
   "GroupApproveRequest": {
    "type": "object",
    "description": "ApproveRequest plus filter: which members (default update-available).",
    "properties": {
     "modules": {
      "type": [
       "array",
       "null"
      ],
      "items": {
       "$ref": "#/components/schemas/ModuleChoice"
      },
      "description": "Absent or empty: every module with an update."
     },
     "allowReboot": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Default false."
     },
     "latestOnly": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Default true."
     },
     "notBefore": {
      "type": [
       "integer",
       "null"
      ],
      "format": "int64",
      "description": "Seconds since 1970, UTC."
     },
     "downloadFirst": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Default false."
     },
     "onLostContact": {
      "anyOf": [
       {
        "$ref": "#/components/schemas/OnLostContact"
       },
       {
        "type": "null"
       }
      ]
     },
     "overrideHealthGate": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Default false."
     },
     "latestAtRunTime": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Default false: the newest version now; true: the newest when the agent starts."
     },
     "filter": {
      "anyOf": [
       {
        "$ref": "#/components/schemas/GroupFilter"
       },
       {
        "type": "null"
       }
      ]
     }
    },
    "additionalProperties": false
   },
   "GroupApprovalResult": {
    "type": "object",
    "properties": {
     "server": {
      "type": "string"
     },
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/RunItem"
      }
     },
     "refused": {
      "type": "string",
      "description": "Why this server was refused."
     }
    },
    "required": [
     "server",
     "items"
    ]
   },
   "Schedule": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer",
      "format": "int64"
     },
     "targetKind": {
      "$ref": "#/components/schemas/ScheduleTargetKind"
     },
     "target": {
      "type": "string"
     },
     "startAt": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "allowReboot": {
      "type": "boolean"
     },
     "downloadFirst": {
      "type": "boolean"
     },
     "state": {
      "$ref": "#/components/schemas/ScheduleState"
     },
     "createdBy": {
      "type": "string"
     },
     "result": {
      "type": "string",
      "description": "What happened when it fired, per server."
     }
    },
    "required": [
     "id",
     "targetKind",
     "target",
     "startAt",
     "allowReboot",
     "downloadFirst",
     "state",
     "createdBy"
    ]
   },
   "ScheduleStartTime": {
    "type": "string",
    "description": "UTC, exactly YYYY-MM-DDTHH:MM:SSZ, a real calendar day, in the future (400 otherwise). The pattern's year bound (2030 on) and its leaving out February 29th (the server takes a real one, 2032-02-29) only keep generated examples valid.",
    "format": "date-time",
    "pattern": "^(20[3-9][0-9]|2[1-9][0-9]{2}|[3-9][0-9]{3})-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$"
   },
   "ServerScheduleRequest": {
    "type": "object",
    "properties": {
     "server": {
      "type": "string",
      "description": "An enrolled server (404 otherwise)."
     },
     "group": {
      "type": "null"
     },
     "startAt": {
      "$ref": "#/components/schemas/ScheduleStartTime"
     },
     "allowReboot": {
      "type": [
       "boolean",
       "null"
      ]
     },
     "downloadFirst": {
      "type": [
       "boolean",
       "null"
      ]
     }
    },
    "required": [
     "server",
     "startAt"
    ],
    "additionalProperties": false
   },
   "GroupScheduleRequest": {
    "type": "object",
    "properties": {
     "server": {
      "type": "null"
     },
     "group": {
      "type": "string",
      "description": "An existing group (404 otherwise)."
     },
     "startAt": {
      "$ref": "#/components/schemas/ScheduleStartTime"
     },
     "allowReboot": {
      "type": [
       "boolean",
       "null"
      ]
     },
     "downloadFirst": {
      "type": [
       "boolean",
       "null"
      ]
     }
    },
    "required": [
     "group",
     "startAt"
    ],
    "additionalProperties": false
   },
   "CreateScheduleRequest": {
    "description": "Exactly one of server and group.",
    "oneOf": [
     {
      "$ref": "#/components/schemas/ServerScheduleRequest"
     },
     {
      "$ref": "#/components/schemas/GroupScheduleRequest"
     }
    ]
   },
   "EditScheduleRequest": {
    "type": "object",
    "description": "Only what changes; absent or null leaves a field as it is.",
    "properties": {
     "startAt": {
      "anyOf": [
       {
        "$ref": "#/components/schemas/ScheduleStartTime"
       },
       {
        "type": "null"
       }
      ]
     },
     "allowReboot": {
      "type": [
       "boolean",
       "null"
      ]
     },
     "downloadFirst": {
      "type": [
       "boolean",
       "null"
      ]
     }
    },
    "additionalProperties": false
   },
   "TUFSignature": {
    "type": "object",
    "properties": {
     "keyid": {
      "type": "string"
     },
     "sig": {
      "type": "string"
     }
    },
    "required": [
     "keyid",
     "sig"
    ]
   },
   "TUFMetadata": {
    "type": "object",
    "description": "A TUF metadata file, as signed (canonical JSON of signed).",
    "properties": {
     "signatures": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/TUFSignature"
      }
     },
     "signed": {
      "type": "object",
      "additionalProperties": true
     }
    },
    "required": [
     "signatures",
     "signed"
    ]
   },
   "PresencePlatform": {
    "type": "object",
    "properties": {
     "model": {
      "type": "string"
     },
     "os": {
      "$ref": "#/components/schemas/OSIdentity"
     }
    },
    "required": [
     "model",
     "os"
    ]
   },
   "PreviousGeneration": {
    "type": "object",
    "properties": {
     "platform": {
      "$ref": "#/components/schemas/PresencePlatform"
     },
     "moduleID": {
      "type": "string"
     },
     "version": {
      "type": "string"
     }
    },
    "required": [
     "platform",
     "moduleID",
     "version"
    ]
   },
   "Presence": {
    "type": "object",
    "properties": {
     "manager": {
      "type": "string",
      "description": "The sender's name: 1-255 characters.",
      "minLength": 1,
      "maxLength": 255
     },
     "version": {
      "type": "string",
      "description": "The sender's exup version."
     },
     "platforms": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/PresencePlatform"
      }
     },
     "previous": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/PreviousGeneration"
      }
     }
    },
    "required": [
     "manager",
     "version",
     "platforms",
     "previous"
    ],
    "additionalProperties": false
   },
   "PresenceAnswer": {
    "type": "object",
    "properties": {
     "repositoryVersion": {
      "type": "string"
     },
     "retiredAfter": {
      "type": "string",
      "format": "date-time",
      "description": "When the sender is retired if it says nothing more."
     }
    },
    "required": [
     "repositoryVersion",
     "retiredAfter"
    ]
   },
   "ServedPlatform": {
    "type": "object",
    "properties": {
     "model": {
      "type": "string"
     },
     "os": {
      "type": "string",
      "description": "ID or ID:VERSION_ID."
     },
     "origin": {
      "type": "string",
      "description": "manual, agent, upload, …"
     }
    },
    "required": [
     "model",
     "os",
     "origin"
    ]
   },
   "PlatformRequest": {
    "type": "object",
    "properties": {
     "model": {
      "type": "string",
      "description": "Trailing spaces and NULs are trimmed; something must remain.",
      "pattern": "[^ \\x00]"
     },
     "os": {
      "type": "string",
      "description": "An os-release ID or ID:VERSION_ID (debian, rhel:9.4); not linux, bmc or offline.",
      "pattern": "^(?!(linux|bmc|offline)$)[0-9a-z._-]+(:[0-9a-z._-]+)?$"
     }
    },
    "required": [
     "model",
     "os"
    ],
    "additionalProperties": false
   },
   "AddResult": {
    "type": "object",
    "description": "One file's outcome (Table 14).",
    "properties": {
     "file": {
      "type": "string",
      "description": "The name query parameter (at most 255 characters), or upload.zip."
     },
     "packageID": {
      "type": "string"
     },
     "result": {
      "type": "string",
      "description": "normal, warning (not added, not an error) or error.",
      "enum": [
       "normal",
       "warning",
       "error"
      ]
     },
     "code": {
      "$ref": "#/components/schemas/AddResultCode"
     },
     "message": {
      "type": "string"
     }
    },
    "required": [
     "file",
     "result",
     "code",
     "message"
    ]
   },
   "PackageTarget": {
    "type": "object",
    "properties": {
     "model": {
      "type": "string"
     },
     "os": {
      "type": "string",
      "description": "linux, bmc, offline, an os-release ID or ID:VERSION_PREFIX."
     }
    },
    "required": [
     "model",
     "os"
    ]
   },
   "PackageIndicators": {
    "type": "object",
    "properties": {
     "autoUpdate": {
      "type": "boolean"
     },
     "noDowngrade": {
      "type": "boolean"
     },
     "multiModel": {
      "type": "boolean"
     },
     "inUseByAnotherManager": {
      "type": "boolean"
     },
     "incompatible": {
      "type": "boolean"
     },
     "pinned": {
      "type": "boolean"
     },
     "untrustedSigner": {
      "type": "boolean"
     }
    },
    "required": [
     "autoUpdate",
     "noDowngrade",
     "multiModel",
     "inUseByAnotherManager",
     "incompatible",
     "pinned",
     "untrustedSigner"
    ]
   },
   "PackageListing": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "module": {
      "type": "string"
     },
     "moduleName": {
      "type": "string"
     },
     "version": {
      "type": "string"
     },
     "releaseDate": {
      "type": "string",
      "format": "date"
     },
     "targets": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/PackageTarget"
      }
     },
     "size": {
      "type": "integer",
      "format": "int64",
      "description": "Bytes."
     },
     "sha256": {
      "type": "string",
      "description": "Hex.",
      "pattern": "^[0-9a-f]{64}$"
     },
     "addedAt": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "description": {
      "type": "string"
     },
     "indicators": {
      "$ref": "#/components/schemas/PackageIndicators"
     }
    },
    "required": [
     "id",
     "name",
     "module",
     "moduleName",
     "version",
     "releaseDate",
     "targets",
     "size",
     "sha256",
     "addedAt",
     "description",
     "indicators"
    ]
   },
   "DeleteRequest": {
    "type": "object",
    "properties": {
     "ids": {
      "type": "array",
      "items": {
       "type": "string"
      },
      "minItems": 1
     },
     "force": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Delete even what another manager uses."
     }
    },
    "required": [
     "ids"
    ],
    "additionalProperties": false
   },
   "DeleteResult": {
    "type": "object",
    "properties": {
     "packageID": {
      "type": "string"
     },
     "result": {
      "type": "string",
      "enum": [
       "normal",
       "error"
      ]
     },
     "code": {
      "$ref": "#/components/schemas/DeleteResultCode"
     },
     "message": {
      "type": "string"
     }
    },
    "required": [
     "packageID",
     "result",
     "code",
     "message"
    ]
   },
   "DeletionHistoryCleared": {
    "type": "object",
    "properties": {
     "cleared": {
      "type": "integer",
      "description": "Entries removed."
     }
    },
    "required": [
     "cleared"
    ]
   },
   "ExportRequest": {
    "type": "object",
    "properties": {
     "ids": {
      "type": "array",
      "items": {
       "type": "string"
      },
      "minItems": 1
     },
     "allVersions": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Every stored version of each package's module for the same models."
     }
    },
    "required": [
     "ids"
    ],
    "additionalProperties": false
   },
   "AppLogRecord": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer",
      "format": "int64"
     },
     "time": {
      "type": "integer",
      "format": "int64",
      "description": "Seconds since 1970, UTC."
     },
     "level": {
      "$ref": "#/components/schemas/AppLogLevel"
     },
     "code": {
      "type": "string",
      "description": "The event's code (N.., E.., X..; docs/log-events.md)."
     },
     "message": {
      "type": "string"
     },
     "actor": {
      "type": "string"
     },
     "server": {
      "type": "string"
     },
     "module": {
      "type": "string"
     },
     "versions": {
      "type": "string"
     },
     "cause": {
      "type": "string"
     }
    },
    "required": [
     "id",
     "time",
     "level",
     "code",
     "message",
     "actor"
    ]
   },
   "SyncStatus": {
    "type": "object",
    "properties": {
     "state": {
      "$ref": "#/components/schemas/SyncState"
     },
     "actor": {
      "type": "string"
     },
     "startedAt": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "finishedAt": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "phase": {
      "type": "string",
      "description": "What it is doing now, in words (empty when idle)."
     },
     "packagesTotal": {
      "type": "integer"
     },
     "packagesDone": {
      "type": "integer"
     },
     "bytesTotal": {
      "type": "integer",
      "format": "int64"
     },
     "bytesDone": {
      "type": "integer",
      "format": "int64"
     },
     "added": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "refused": {
      "type": "array",
      "items": {
       "type": "string"
      },
      "description": "\"bmc-2.31: signature: no trusted key\""
     },
     "error": {
      "type": "string"
     },
     "since": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "upstream": {
      "type": "string",
      "description": "The upstream address in use."
     },
     "lastSuccess": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "nextScheduled": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     }
    },
    "required": [
     "state",
     "phase",
     "packagesTotal",
     "packagesDone",
     "bytesTotal",
     "bytesDone",
     "added",
     "refused"
    ]
   },
   "SyncCancelling": {
    "type": "object",
    "properties": {
     "cancelling": {
      "type": "boolean"
     }
    },
    "required": [
     "cancelling"
    ]
   },
   "RepositorySettingsProxy": {
    "type": "object",
    "properties": {
     "host": {
      "type": "string"
     },
     "port": {
      "type": "integer"
     },
     "username": {
      "type": "string"
     },
     "auth": {
      "$ref": "#/components/schemas/ProxyAuthentication"
     }
    },
    "required": [
     "host",
     "port",
     "auth"
    ]
   },
   "RepositorySettings": {
    "type": "object",
    "description": "Passwords are never shown.",
    "properties": {
     "upstream": {
      "type": "string"
     },
     "upstreamInUse": {
      "type": "string"
     },
     "syncIntervalHours": {
      "type": "integer",
      "description": "Absent: sync by hand only."
     },
     "syncTime": {
      "type": "string",
      "description": "HH:MM, UTC.",
      "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"
     },
     "proxy": {
      "$ref": "#/components/schemas/RepositorySettingsProxy"
     },
     "lastSuccess": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "nextScheduled": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "remote": {
      "type": "string"
     },
     "remoteVersion": {
      "type": "string"
     },
     "warning": {
      "type": "string"
     },
     "remoteProblem": {
      "type": "string"
     },
     "initialStatusIcon": {
      "$ref": "#/components/schemas/ManualIcon"
     },
     "savedBy": {
      "type": "string"
     },
     "savedAt": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     }
    },
    "required": [
     "initialStatusIcon"
    ]
   },
   "ProxySettingsInput": {
    "type": "object",
    "properties": {
     "host": {
      "type": "string",
      "description": "A host name or IP address: no '/', no inner spaces, at most 253 characters once leading and trailing spaces are trimmed.",
      "pattern": "^ *[^ /]{1,253} *$"
     },
     "port": {
      "type": "integer",
      "minimum": 1,
      "maximum": 65535
     },
     "username": {
      "type": [
       "string",
       "null"
      ],
      "description": "Empty or absent: no authentication."
     },
     "password": {
      "type": [
       "string",
       "null"
      ],
      "description": "Absent with the same username: the one in force is kept."
     },
     "auth": {
      "$ref": "#/components/schemas/ProxyAuthentication"
     }
    },
    "required": [
     "host",
     "port",
     "auth"
    ]
   },
   "SaveSettingsRequest": {
    "type": "object",
    "properties": {
     "syncIntervalHours": {
      "type": "integer",
      "minimum": 0,
      "maximum": 8760,
      "description": "0: by hand only."
     },
     "syncTime": {
      "type": "string",
      "description": "HH:MM, UTC.",
      "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"
     },
     "proxy": {
      "anyOf": [
       {
        "$ref": "#/components/schemas/ProxySettingsInput"
       },
       {
        "type": "null"
       }
      ]
     },
     "initialStatusIcon": {
      "$ref": "#/components/schemas/ManualIcon"
     },
     "keepUnchecked": {
      "type": [
       "boolean",
       "null"
      ],
      "description": "Save even when the check finds a problem."
     }
    },
    "required": [
     "syncIntervalHours",
     "syncTime",
     "initialStatusIcon"
    ],
    "additionalProperties": false
   },
   "SettingsSaved": {
    "type": "object",
    "properties": {
     "saved": {
      "type": "boolean"
     },
     "problem": {
      "type": "string",
      "description": "The check's problem, when keepUnchecked saved it anyway."
     }
    },
    "required": [
     "saved"
    ]
   },
   "SettingsCheck": {
    "type": "object",
    "properties": {
     "ok": {
      "type": "boolean"
     },
     "problem": {
      "type": "string"
     }
    },
    "required": [
     "ok"
    ]
   },
   "RotatedPassword": {
    "type": "object",
    "properties": {
     "password": {
      "type": "string",
      "description": "The new repository password, in force at once; shown once."
     }
    },
    "required": [
     "password"
    ]
   },
   "LoginRequest": {
    "type": "object",
    "description": "At most 16384 bytes as sent.",
    "properties": {
     "username": {
      "type": "string",
      "description": "1-128 UTF-8 bytes (maxLength counts characters, up to 4 bytes each, so it says 32; longer ASCII names are taken).",
      "minLength": 1,
      "maxLength": 32
     },
     "password": {
      "type": "string",
      "description": "At most 1024 characters (Unicode code points).",
      "maxLength": 1024
     }
    },
    "required": [
     "username",
     "password"
    ],
    "additionalProperties": false
   },
   "PackageNotice": {
    "type": "object",
    "properties": {
     "time": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "components": {
      "type": "string"
     }
    },
    "required": [
     "time",
     "components"
    ]
   },
   "LoginResult": {
    "type": "object",
    "properties": {
     "token": {
      "type": "string",
      "description": "The session token, exups_<id>.<secret>: Authorization: Bearer on later requests. Valid 12 hours.",
      "pattern": "^exups_[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"
     },
     "user": {
      "type": "string"
     },
     "role": {
      "$ref": "#/components/schemas/UserRole"
     },
     "expiresAt": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "notices": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/PackageNotice"
      },
      "description": "New packages since the last login; empty for viewers."
     }
    },
    "required": [
     "token",
     "user",
     "role",
     "expiresAt",
     "notices"
    ]
   },
   "LoggedOut": {
    "type": "object",
    "properties": {
     "loggedOut": {
      "type": "boolean"
     }
    },
    "required": [
     "loggedOut"
    ]
   },
   "UserSummary": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "role": {
      "$ref": "#/components/schemas/UserRole"
     },
     "created": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     },
     "lastLogin": {
      "type": "string",
      "format": "date-time",
      "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"
     }
    },
    "required": [
     "name",
     "role",
     "created"
    ]
   },
   "CreateUserRequest": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "description": "1-64 ASCII letters, digits, '-', '_', '.' or '@'.",
      "pattern": "^[A-Za-z0-9._@-]{1,64}$"
     },
     "role": {
      "$ref": "#/components/schemas/UserRole"
     },
     "password": {
      "type": "string",
      "description": "8 to 1024 characters (Unicode code points).",
      "minLength": 8,
      "maxLength": 1024
     }
    },
    "required": [
     "name",
     "role",
     "password"
    ],
    "additionalProperties": false
   },
   "SetPasswordRequest": {
    "type": "object",
    "properties": {
     "password": {
      "type": "string",
      "description": "8 to 1024 characters (Unicode code points).",
      "minLength": 8,
      "maxLength": 1024
     },
     "currentPassword": {
      "type": [
       "string",
       "null"
      ],
      "description": "Required when a user session changes its own user's password."
     }
    },
    "required": [
     "password"
    ],
    "additionalProperties": false
   },
   "PasswordChanged": {
    "type": "object",
    "properties": {
     "changed": {
      "type": "string",
      "description": "The user's name."
     }
    },
    "required": [
     "changed"
    ]
   }
  },
  "responses": {
   "Unauthorized": {
    "description": "No Authorization: Bearer header, or a credential the server does not know (code unauthenticated).",
    "headers": {
     "WWW-Authenticate": {
      "$ref": "#/components/headers/WWWAuthenticate"
     }
    },
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   },
   "Forbidden": {
    "description": "A valid credential without the permission this operation needs (code forbidden).",
    "content": {
     "application/json": {
      "schema": {
       "$ref": "#/components/schemas/Error"
      }
     }
    }
   }
  },
  "headers": {
   "WWWAuthenticate": {
    "description": "Bearer",
    "required": true,
    "schema": {
     "type": "string",
     "enum": [
      "Bearer"
     ]
    }
   },
   "DirectivesETag": {
    "description": "\"d<version>\"",
    "required": true,
    "schema": {
     "type": "string",
     "pattern": "^\"d-?[0-9]+\"$"
    }
   },
   "TargetETag": {
    "description": "The package's SHA-256 (64 hex digits), quoted.",
    "required": true,
    "schema": {
     "type": "string",
     "pattern": "^\"[0-9a-f]{64}\"$"
    }
   },
   "Immutable": {
    "description": "public, max-age=31536000, immutable",
    "required": true,
    "schema": {
     "type": "string"
    }
   },
   "MetadataETag": {
    "description": "The first 32 hex digits of the file's SHA-256, quoted.",
    "required": true,
    "schema": {
     "type": "string",
     "pattern": "^\"[0-9a-f]{32}\"$"
    }
   },
   "NoCache": {
    "description": "no-cache",
    "required": true,
    "schema": {
     "type": "string"
    }
   },
   "ContentDisposition": {
    "description": "attachment; filename=\"…\"",
    "required": true,
    "schema": {
     "type": "string"
    }
   },
   "AcceptRanges": {
    "description": "bytes",
    "required": true,
    "schema": {
     "type": "string",
     "enum": [
      "bytes"
     ]
    }
   },
   "ContentRange": {
    "description": "bytes FIRST-LAST/SIZE, or bytes */SIZE on 416.",
    "required": true,
    "schema": {
     "type": "string"
    }
   },
   "ContentLength": {
    "description": "Bytes in this answer.",
    "required": true,
    "schema": {
     "type": "integer",
     "format": "int64",
     "minimum": 0
    }
   }
  },
  "securitySchemes": {
   "adminToken": {
    "type": "http",
    "scheme": "bearer",
    "description": "The administrator (automation) token, DATA/admin.token: every operation a user may call, as an administrator."
   },
   "userSession": {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "exups_<id>.<secret>",
    "description": "A session token from POST /api/v1/login (12 hours); the user's role decides what it may do. Only as a bearer token: the web pages' exup_session cookie is not read by the JSON API."
   },
   "agentCredential": {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "<id>.<secret>",
    "description": "An agent's own credential from POST /api/v1/enrol: its directives, reports and logs, and the repository."
   },
   "repositoryPassword": {
    "type": "http",
    "scheme": "bearer",
    "description": "DATA/repository.password: another manager or a TUF client reading metadata and packages; presence and sync."
   }
  }
 }
}
"""##
}
