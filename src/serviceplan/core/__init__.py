"""The small core every stage shares: the parameter model, periods, the workspace's paths, errors, identity-code
detection and redaction, content hashes, and the shared vocabulary. It imports nothing else of the package."""
