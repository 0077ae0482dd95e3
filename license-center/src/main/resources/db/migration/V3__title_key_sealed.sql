-- A scheme-1 title's Kd is stored sealed under a key only KM gives (nonce, AES-256-GCM ciphertext
-- and tag: 60 bytes, 120 hex digits), so a copy of the database opens no title. Rows written
-- before hold Kd itself (64 hex digits); the center seals them when it starts.
ALTER TABLE titles ALTER COLUMN kd SET DATA TYPE VARCHAR(128);
