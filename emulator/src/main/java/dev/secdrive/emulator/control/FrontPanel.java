package dev.secdrive.emulator.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.DriveStatus;
import dev.secdrive.emulator.firmware.Firmware;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumMetadata;
import dev.secdrive.emulator.observe.Instruments;
import dev.secdrive.kit.http.Binary;
import dev.secdrive.kit.http.EventStream;
import dev.secdrive.protocol.security.LicenseStatus;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front panel: a page the control API serves ({@code /panel}, with its script and style), and
 * the event stream it shows ({@code /events}): every drive's model, device ID, medium and its
 * label, write-protect, tray and readiness, activity (commands, bytes, last sense) and the licenses
 * on the medium as LICENSE STATUS reports them, once a second and after every change a person
 * makes.
 *
 * <p>The page is static and holds no data, so it is served without the token; its script takes the
 * token from the URL's fragment ({@code /panel#token=...}, which no browser sends to a server),
 * keeps it in the tab's session storage, and sends it on every request, as any client of the API
 * does. The page runs only its own script, cannot be framed, and its requests are same-origin.
 */
final class FrontPanel implements AutoCloseable {

  /** How often the panel's state goes out while someone watches. */
  static final long TICK_MILLIS = 1000;

  private static final Logger log = LoggerFactory.getLogger(FrontPanel.class);
  private static final String RESOURCES = "/dev/secdrive/emulator/control/panel/";

  private final Emulator emulator;
  private final ObjectMapper json;
  private final List<EventStream.Sink> watchers = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService ticks =
      Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("secdrive-panel", true));
  private final Map<String, Binary> files = new LinkedHashMap<>();

  FrontPanel(Emulator emulator, ObjectMapper json) {
    this.emulator = emulator;
    this.json = json;
    files.put("/panel", page("panel.html", "text/html; charset=utf-8"));
    files.put("/panel.js", page("panel.js", "text/javascript; charset=utf-8"));
    files.put("/panel.css", page("panel.css", "text/css; charset=utf-8"));
    ticks.scheduleWithFixedDelay(this::publish, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** The page, its script or its style for {@code path}, or null. */
  Binary file(String path) {
    return files.get(path);
  }

  /** The panel's event stream: the state now, then again each tick and after each change. */
  EventStream events() {
    return new EventStream(
        sink -> {
          watchers.add(sink);
          ticks.execute(() -> send(sink, state()));
          return () -> watchers.remove(sink);
        });
  }

  /** Sends the state soon: a person changed something. */
  void changed() {
    ticks.execute(this::publish);
  }

  @Override
  public void close() {
    ticks.shutdownNow();
  }

  private void publish() {
    if (watchers.isEmpty()) {
      return;
    }
    String state;
    try {
      state = state();
    } catch (RuntimeException e) {
      log.warn("front panel: the drives' state could not be read: {}", e.toString());
      return;
    }
    for (EventStream.Sink sink : watchers) {
      send(sink, state);
    }
  }

  private void send(EventStream.Sink sink, String state) {
    if (!sink.send("state", state)) {
      watchers.remove(sink);
    }
  }

  /** Every drive and the media directory, as one line of JSON. */
  String state() {
    Instruments instruments = emulator.target().instruments();
    List<Map<String, Object>> drives = new ArrayList<>();
    for (Firmware unit : emulator.target().units().values()) {
      DriveStatus status = unit.status();
      Medium medium = unit.medium();
      Map<String, Object> drive = new LinkedHashMap<>();
      drive.put("lun", status.lun());
      drive.put("profile", status.profile());
      drive.put("deviceId", status.deviceId());
      drive.put("state", status.state().name());
      drive.put("mediumId", status.mediumId());
      drive.put("label", medium == null ? null : medium.metadata().label());
      drive.put("writeProtected", status.writeProtected());
      drive.put("removalPrevented", status.removalPrevented());
      Instruments.Activity activity = instruments.activity(status.lun());
      drive.put("commands", activity.commands());
      drive.put("bytes", activity.bytes());
      drive.put("lastSense", activity.lastSense());
      drive.put("readErrors", unit.faults().readErrors());
      List<Map<String, Object>> licenses = new ArrayList<>();
      for (LicenseStatus.Entry entry :
          unit.licenses().map(LicenseStatus::entries).orElse(List.of())) {
        Map<String, Object> license = new LinkedHashMap<>();
        license.put("contentId", entry.contentId());
        license.put("licensor", entry.licensor());
        license.put("playsLeft", entry.unlimited() ? null : entry.playsLeft());
        licenses.add(license);
      }
      drive.put("licenses", licenses);
      drives.add(drive);
    }
    List<Map<String, Object>> media = new ArrayList<>();
    for (MediumMetadata medium : emulator.media().list()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("id", medium.id());
      entry.put("label", medium.label());
      media.add(entry);
    }
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("drives", drives);
    state.put("media", media);
    try {
      return json.writeValueAsString(state); // one line: no pretty printing here
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Binary page(String name, String type) {
    try (InputStream in = FrontPanel.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("front panel file " + name + " is not on the classpath");
      }
      return new Binary(type, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
