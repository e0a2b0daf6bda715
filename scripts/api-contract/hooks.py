"""schemathesis hooks for scripts/api-contract.sh."""
import schemathesis

# Package and log-bundle uploads are raw bytes (application/zip, application/gzip): send them as they are.
schemathesis.serializer.alias(["application/zip", "application/gzip"], "application/octet-stream")
