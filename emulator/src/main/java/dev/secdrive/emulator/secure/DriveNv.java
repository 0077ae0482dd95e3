package dev.secdrive.emulator.secure;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import dev.secdrive.emulator.media.WriteSteps;
import dev.secdrive.kit.crypto.AesGcm;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Hmac;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.kit.files.LooseSecretFileException;
import dev.secdrive.kit.files.SecretFiles;
import dev.secdrive.protocol.security.KeyLabels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The drive's non-volatile state: its monotonic counter, per medium the highest license version it
 * has recorded (the anti-rollback floor), and, once it is a registered client of a distributor
 * (seed 002), its {@link ClientState}: service data and keys, licenses, held certificates, used
 * serials.
 *
 * <p>On disk it is two records in two stores, as an eMMC device keeps its data in flash and its
 * replay-protected counter in RPMB:
 *
 * <pre>
 * state (drives/&lt;device ID&gt;/state.sealed, in the media directory)
 *   "SDNV" | u8 format = 1 | 12-byte nonce | AES-256-GCM(JSON {generation, counter, versions, client}) | tag
 *   key KDF(device secret, "drive-state", device ID); AAD = the 5 header bytes | device ID
 * anchor (&lt;anchor dir&gt;/&lt;device ID&gt;-&lt;key fingerprint&gt;.anchor, another store)
 *   JSON {format = 1, deviceId, generation, stateHash = SHA-256 of the state file, mac}
 *   mac = HMAC-SHA256(KDF(device secret, "drive-anchor", device ID),
 *                     "SDAN" | u8 1 | str8 device ID | u64 generation | stateHash)
 * </pre>
 *
 * <p>Every write raises the generation by one: the state is written first (atomically, with
 * generation n+1), then the anchor. A crash before the state's rename leaves state n and anchor n;
 * a crash between the two writes leaves state n+1 and anchor n, which {@link #open} accepts and
 * rolls forward by writing the anchor; after the anchor write both are n+1. So a state one
 * generation ahead of its anchor is the drive's own unfinished write; anything else that does not
 * match is refused: a state behind its anchor (an old copy put back), a state whose hash is not the
 * anchor's at the same generation, a state or anchor that does not authenticate, one of the two
 * missing. A drive without files keeps its state in memory only (tests).
 */
public final class DriveNv {

  private static final byte[] STATE_MAGIC = "SDNV".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ANCHOR_MAGIC = "SDAN".getBytes(StandardCharsets.US_ASCII);
  private static final int FORMAT = 1;
  private static final int HEADER = STATE_MAGIC.length + 1;
  private static final String STATE_LABEL = KeyLabels.DRIVE_STATE;
  private static final String ANCHOR_LABEL = KeyLabels.DRIVE_ANCHOR;

  private final Records files;
  private long generation;
  private long counter;
  private final Map<String, Long> versions = new TreeMap<>();
  private ClientState client;

  private DriveNv(Records files) {
    this.files = files;
  }

  public static DriveNv inMemory() {
    return new DriveNv(null);
  }

  /**
   * Writes a fresh state (generation 0, counter 0, nothing recorded) and its anchor, replacing
   * whatever was there: enrolment.
   */
  static DriveNv create(Path stateFile, Path anchorFile, DriveKeys keys) throws IOException {
    DriveNv nv = new DriveNv(new Records(stateFile, anchorFile, keys));
    byte[] sealed = nv.files.seal(0, 0, Map.of(), null);
    AtomicFiles.replaceSecret(stateFile, sealed);
    nv.files.writeAnchor(0, sealed, WriteSteps.NONE);
    return nv;
  }

  /**
   * Opens the drive's state and checks it against its anchor; rolls the anchor forward when the
   * last write stopped between the two.
   *
   * @throws DriveStateException naming the files if the two do not belong together
   * @throws KeyFileException if others may read or write either file
   */
  static DriveNv open(Path stateFile, Path anchorFile, DriveKeys keys) {
    Records files = new Records(stateFile, anchorFile, keys);
    boolean state = Files.exists(stateFile);
    boolean anchor = Files.exists(anchorFile);
    if (!state) {
      throw new DriveStateException(
          "its state "
              + stateFile
              + " is missing while its keys"
              + (anchor ? " and its anchor " + anchorFile + " exist" : " exist")
              + ": a deleted state does not make a fresh drive");
    }
    if (!anchor) {
      throw new DriveStateException(
          "its anchor "
              + anchorFile
              + " is missing while its state "
              + stateFile
              + " exists: the state was moved or copied from elsewhere, or the anchor store was"
              + " lost");
    }
    byte[] sealed = files.readState();
    Stored stored = files.unseal(sealed);
    Anchor recorded = files.readAnchor();
    DriveNv nv = new DriveNv(files);
    nv.generation = stored.generation;
    nv.counter = stored.counter;
    nv.versions.putAll(stored.versions);
    nv.client = files.client(stored);
    if (stored.generation == recorded.generation) {
      if (!Arrays.equals(sha256(sealed), KeyFiles.unhex("stateHash", recorded.stateHash, 32))) {
        throw new DriveStateException(
            "its state "
                + stateFile
                + " is not the one its anchor "
                + anchorFile
                + " records (generation "
                + stored.generation
                + "): the state was replaced by another of the same drive");
      }
    } else if (stored.generation == recorded.generation + 1) {
      // The last write stopped after the state and before the anchor: finish it.
      try {
        files.writeAnchor(stored.generation, sealed, WriteSteps.NONE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write anchor " + anchorFile + ": " + e, e);
      }
    } else if (stored.generation < recorded.generation) {
      throw new DriveStateException(
          "its state "
              + stateFile
              + " (generation "
              + stored.generation
              + ") is older than its anchor "
              + anchorFile
              + " (generation "
              + recorded.generation
              + "): an old copy of the state was put back");
    } else {
      throw new DriveStateException(
          "its state "
              + stateFile
              + " (generation "
              + stored.generation
              + ") is more than one write ahead of its anchor "
              + anchorFile
              + " (generation "
              + recorded.generation
              + "): an old copy of the anchor was put back");
    }
    return nv;
  }

  public synchronized long counter() {
    return counter;
  }

  /** The highest license version recorded for {@code mediumId}; -1 if none. */
  public synchronized long recordedVersion(String mediumId) {
    return versions.getOrDefault(mediumId, -1L);
  }

  /** The drive as a client of a distributor; empty until REGISTER CLIENT. */
  synchronized Optional<ClientState> client() {
    return Optional.ofNullable(client);
  }

  /**
   * Replaces the client state in one durable write (the counter and the recorded versions kept):
   * after a power loss at any of {@code steps} the drive starts with the old client state or the
   * new one.
   */
  synchronized void writeClient(ClientState next, WriteSteps steps) throws IOException {
    write(counter, versions, next, steps, WriteSteps.NONE);
  }

  /**
   * Increases the counter (and raises the medium's recorded version to {@code version} if higher;
   * {@code mediumId} null records nothing) and writes the state durably before returning.
   *
   * @param steps the steps of the state file's write ({@link WriteSteps#REPLACE_STEPS}); the anchor
   *     is written after the last of them
   * @return the new counter value
   */
  public long advance(String mediumId, long version, WriteSteps steps) throws IOException {
    return advance(mediumId, version, steps, WriteSteps.NONE);
  }

  /** As {@link #advance(String, long, WriteSteps)}, with the anchor write's steps as well. */
  synchronized long advance(String mediumId, long version, WriteSteps steps, WriteSteps anchorSteps)
      throws IOException {
    long next = counter + 1;
    Map<String, Long> updated = new TreeMap<>(versions);
    if (mediumId != null && version > updated.getOrDefault(mediumId, -1L)) {
      updated.put(mediumId, version);
    }
    write(next, updated, client, steps, anchorSteps);
    return next;
  }

  private void write(
      long nextCounter,
      Map<String, Long> nextVersions,
      ClientState nextClient,
      WriteSteps steps,
      WriteSteps anchorSteps)
      throws IOException {
    Map<String, Long> updated = new TreeMap<>(nextVersions);
    if (files != null) {
      byte[] sealed = files.seal(generation + 1, nextCounter, updated, nextClient);
      AtomicFiles.replaceSecret(files.state, sealed, steps);
      files.writeAnchor(generation + 1, sealed, anchorSteps);
    } else {
      for (String step : WriteSteps.REPLACE_STEPS) {
        steps.reached(step);
      }
    }
    generation++;
    counter = nextCounter;
    versions.clear();
    versions.putAll(updated);
    client = nextClient;
  }

  /** For callers without checked exceptions. */
  long advanceUnchecked(String mediumId, long version, WriteSteps steps) {
    try {
      return advance(mediumId, version, steps);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How many writes the state has had since enrolment. */
  synchronized long generation() {
    return generation;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The two files and the keys that seal and authenticate them. */
  private static final class Records {
    final Path state;
    final Path anchor;
    final String deviceId;
    final byte[] stateKey;
    final byte[] anchorKey;

    Records(Path state, Path anchor, DriveKeys keys) {
      this.state = state;
      this.anchor = anchor;
      this.deviceId = keys.deviceId();
      byte[] context = deviceId.getBytes(StandardCharsets.US_ASCII);
      this.stateKey = Crypto.kdf(keys.deviceSecret(), STATE_LABEL, context);
      this.anchorKey = Crypto.kdf(keys.deviceSecret(), ANCHOR_LABEL, context);
    }

    byte[] aad() {
      return Bytes.concat(
          STATE_MAGIC, new byte[] {FORMAT}, deviceId.getBytes(StandardCharsets.US_ASCII));
    }

    byte[] seal(long generation, long counter, Map<String, Long> versions, ClientState client) {
      Stored stored = new Stored();
      stored.generation = generation;
      stored.counter = counter;
      stored.versions = new TreeMap<>(versions);
      stored.client = client == null ? null : client.toJson();
      byte[] plaintext;
      try {
        plaintext = KeyFiles.JSON.writeValueAsBytes(stored);
      } catch (JacksonException e) {
        throw new IllegalStateException(e);
      }
      return Bytes.concat(
          STATE_MAGIC, new byte[] {FORMAT}, AesGcm.sealWithNonce(stateKey, aad(), plaintext));
    }

    byte[] readState() {
      try {
        return SecretFiles.read(state);
      } catch (NoSuchFileException e) {
        throw new DriveStateException("its state " + state + " is missing");
      } catch (LooseSecretFileException e) {
        throw new KeyFileException("drive state file " + e.getMessage(), e);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read drive state " + state + ": " + e, e);
      }
    }

    Stored unseal(byte[] sealed) {
      if (sealed.length < HEADER
          || !Arrays.equals(sealed, 0, STATE_MAGIC.length, STATE_MAGIC, 0, STATE_MAGIC.length)
          || sealed[STATE_MAGIC.length] != FORMAT) {
        throw new DriveStateException(
            "its state "
                + state
                + " is no sealed drive state of format "
                + FORMAT
                + " (a plain nv.json of an earlier secdrive is not one)");
      }
      byte[] plaintext;
      try {
        plaintext =
            AesGcm.openWithNonce(
                stateKey, aad(), Arrays.copyOfRange(sealed, HEADER, sealed.length));
      } catch (AuthenticationException | IllegalArgumentException e) {
        throw new DriveStateException(
            "its state "
                + state
                + " does not authenticate: it was altered, or sealed by another drive");
      }
      try {
        Stored stored = KeyFiles.JSON.readValue(plaintext, Stored.class);
        if (stored.generation < 0 || stored.counter < 0 || stored.versions == null) {
          throw new DriveStateException("its state " + state + " holds impossible values");
        }
        return stored;
      } catch (IOException e) {
        throw new DriveStateException("its state " + state + " authenticates but is corrupt");
      }
    }

    ClientState client(Stored stored) {
      if (stored.client == null) {
        return null;
      }
      try {
        return ClientState.fromJson(stored.client);
      } catch (IllegalArgumentException e) {
        throw new DriveStateException(
            "its state "
                + state
                + " authenticates but its client section is corrupt: "
                + e.getMessage());
      }
    }

    Anchor readAnchor() {
      Anchor anchor;
      try {
        anchor = KeyFiles.read(this.anchor, Anchor.class, "anchor");
      } catch (KeyFileException e) {
        if (e.getCause() instanceof LooseSecretFileException) {
          throw e;
        }
        throw new DriveStateException("its " + e.getMessage());
      }
      byte[] mac;
      byte[] hash;
      try {
        mac = KeyFiles.unhex("mac", anchor.mac, 32);
        hash = KeyFiles.unhex("stateHash", anchor.stateHash, 32);
      } catch (IllegalArgumentException e) {
        throw new DriveStateException(
            "its anchor " + this.anchor + " is corrupt: " + e.getMessage());
      }
      if (anchor.format != FORMAT
          || anchor.generation < 0
          || !deviceId.equals(anchor.deviceId)
          || !Bytes.constantTimeEquals(mac, mac(anchor.generation, hash))) {
        throw new DriveStateException(
            "its anchor "
                + this.anchor
                + " does not authenticate: it was altered, or written by another drive");
      }
      return anchor;
    }

    void writeAnchor(long generation, byte[] sealedState, WriteSteps steps) throws IOException {
      byte[] hash = sha256(sealedState);
      Anchor anchor = new Anchor();
      anchor.format = FORMAT;
      anchor.deviceId = deviceId;
      anchor.generation = generation;
      anchor.stateHash = KeyFiles.hex(hash);
      anchor.mac = KeyFiles.hex(mac(generation, hash));
      KeyFiles.write(this.anchor, anchor, steps);
    }

    byte[] mac(long generation, byte[] stateHash) {
      byte[] id = deviceId.getBytes(StandardCharsets.US_ASCII);
      ByteBuffer data = ByteBuffer.allocate(ANCHOR_MAGIC.length + 2 + id.length + 8 + 32);
      data.put(ANCHOR_MAGIC).put((byte) FORMAT).put((byte) id.length).put(id);
      data.putLong(generation).put(stateHash);
      return Hmac.sha256(anchorKey, data.array());
    }
  }

  /** The sealed JSON. */
  static final class Stored {
    @JsonProperty public long generation;
    @JsonProperty public long counter;
    @JsonProperty public Map<String, Long> versions;

    /** Absent until the drive registers as a client (and in states of earlier secdrives). */
    @JsonProperty public ClientState.Json client;
  }

  /** The anchor's JSON. */
  static final class Anchor {
    @JsonProperty public int format;
    @JsonProperty public String deviceId;
    @JsonProperty public long generation;
    @JsonProperty public String stateHash;
    @JsonProperty public String mac;
  }
}
