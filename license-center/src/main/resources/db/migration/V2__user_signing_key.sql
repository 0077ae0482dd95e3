-- Copy requests are signed by the user (API.md "Signed copy requests"): the Ed25519 public key
-- that verifies them, lower-case hex. Users registered before have none and cannot copy.
ALTER TABLE users ADD COLUMN signing_key VARCHAR(64);
