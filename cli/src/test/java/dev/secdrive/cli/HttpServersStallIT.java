package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.center.LicenseCenter;
import dev.secdrive.center.distributor.DistributorServer;
import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.control.ControlServer;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.kit.http.JsonServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No HTTP server secdrive runs can be stalled by connections held open: the control API, the
 * central site and a distributor, each as it is started for real and with its own default limits,
 * answer a normal request while another local process holds every connection the server admits,
 * silent or with a request half sent. The connection quiet longest gives way to the newcomer.
 */
class HttpServersStallIT {

  @TempDir Path work;

  /** Half-sent requests: part of the request line, headers without their end, part of a body. */
  private static final String[] HALF_SENT = {
    "GET /dri",
    "GET /center HTTP/1.1\r\nHost: 127.0.0.1\r\n",
    "POST /users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 4000\r\n\r\n{\"userId\":",
  };

  private final HttpClient client = HttpClient.newHttpClient();

  /** {@code count} connections to {@code address}: the even ones silent, the odd half-sent. */
  private static List<Socket> hold(InetSocketAddress address, int count) throws IOException {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        Socket socket = new Socket(address.getAddress(), address.getPort());
        held.add(socket);
        // Only a bound on a failure: the read below ends as soon as the server closes it.
        socket.setSoTimeout(120_000);
        if (i % 2 == 1) {
          OutputStream out = socket.getOutputStream();
          out.write(HALF_SENT[i / 2 % HALF_SENT.length].getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
      }
      return held;
    } catch (IOException | RuntimeException e) {
      release(held);
      throw e;
    }
  }

  private static void release(List<Socket> held) {
    for (Socket socket : held) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  private static boolean closedUnanswered(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketException reset) {
      return true;
    }
  }

  /**
   * Holds {@code count} connections to {@code address}, then sends {@code request} on a new one: it
   * must be answered {@code status}, and the first held connection, silent since it was accepted
   * first, must have given way.
   */
  private void answeredWhileHeld(
      InetSocketAddress address, int count, HttpRequest.Builder request, int status)
      throws Exception {
    List<Socket> held = hold(address, count);
    try {
      HttpResponse<String> reply =
          client.send(
              request
                  // Only a bound on a failure: the newcomer is admitted as it is accepted.
                  .timeout(Duration.ofSeconds(60))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(status, reply.statusCode(), reply.body());
      // Accepted in order after all of them: the first was quiet longest.
      assertTrue(closedUnanswered(held.get(0)), "the connection quiet longest gave way");
    } finally {
      release(held);
    }
  }

  private static URI uri(InetSocketAddress address, String path) {
    return URI.create("http://" + Addresses.format(address) + path);
  }

  @Test
  void theControlApiAnswersItsOwnerWhileAnotherProcessHoldsEveryConnection() throws Exception {
    Path media = work.resolve("media");
    MediumStore.openOrCreate(media);
    try (Emulator emulator =
        Emulator.builder()
            .mediaDirectory(media)
            .anchorDirectory(Rig.anchors(media))
            .enrol(Authority.create())
            .profiles(Rig.PROFILES)
            .timing(TimingMode.FAST)
            .drive(new DriveConfig(0, "mo-640", "DRIVE-S", null))
            .control(new InetSocketAddress("127.0.0.1", 0))
            .start()) {
      InetSocketAddress address = emulator.controlAddress().orElseThrow();
      answeredWhileHeld(
          address,
          ControlServer.MAX_CONNECTIONS,
          HttpRequest.newBuilder(uri(address, "/drives"))
              .header("Authorization", "Bearer " + emulator.controlToken().orElseThrow().value()),
          200);
    }
  }

  @Test
  void theCentralSiteAnswersWhileAPeerHoldsEveryConnection() throws Exception {
    Path authority = work.resolve("authority.json");
    Authority.create().save(authority);
    Path data = work.resolve("center");
    Cli init = Cli.run("center", "init", "--data-dir", data.toString(), "--file", "" + authority);
    assertEquals(0, init.exit(), init::toString);
    try (LicenseCenter center = LicenseCenter.start(data, new InetSocketAddress("127.0.0.1", 0))) {
      answeredWhileHeld(
          center.address(),
          JsonServer.DEFAULT_MAX_CONNECTIONS,
          HttpRequest.newBuilder(uri(center.address(), "/center")),
          200);
    }
  }

  @Test
  void aDistributorAnswersWhileAPeerHoldsEveryConnection() throws Exception {
    Path authority = work.resolve("authority.json");
    Authority.create().save(authority);
    Path tree = work.resolve("key-tree.json");
    Cli keyTree =
        Cli.run(
            "authority",
            "key-tree",
            "--out",
            tree.toString(),
            "--depth",
            "10",
            "--category-depth",
            "2");
    assertEquals(0, keyTree.exit(), keyTree::toString);
    Path dir = work.resolve("a");
    Cli init =
        Cli.run(
            "distributor",
            "init",
            "--data-dir",
            dir.toString(),
            "--name",
            "Distributor A",
            "--authority",
            authority.toString(),
            "--key-tree",
            tree.toString(),
            "--category",
            "0",
            "--shared-dir",
            work.resolve("shared").toString());
    assertEquals(0, init.exit(), init::toString);
    try (DistributorServer distributor =
        DistributorServer.start(dir, new InetSocketAddress("127.0.0.1", 0))) {
      answeredWhileHeld(
          distributor.address(),
          JsonServer.DEFAULT_MAX_CONNECTIONS,
          HttpRequest.newBuilder(uri(distributor.address(), "/distributor")),
          200);
    }
  }
}
