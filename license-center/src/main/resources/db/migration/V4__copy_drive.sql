-- A copy is one (user, title, medium, target drive): the drive is its device ID with the X25519
-- key of its certificate the title's keys were sealed to (lower-case hex). Only a request from
-- that same drive is the retry of a copy; the same title and medium in another drive is another
-- copy, with its own bill. Copies recorded before have no key, so none of them is retried free.
ALTER TABLE copies ADD COLUMN drive_key VARCHAR(64);
CREATE UNIQUE INDEX copies_one_per_drive ON copies (user_id, title_id, medium_id, device_id, drive_key);
