package dev.secdrive.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secdrive.emulator.Emulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A running emulator's control API over HTTP, as {@code secdrive control} calls it: the bearer
 * token of its media directory on every request, JSON bodies typed {@code application/json}.
 */
final class ControlApi {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final URI base;
  private final String token;

  ControlApi(Emulator emulator) {
    this.base =
        URI.create(
            "http://" + Addresses.format(emulator.controlAddress().orElseThrow(() -> noApi())));
    this.token = emulator.controlToken().orElseThrow(() -> noApi()).value();
  }

  private static IllegalStateException noApi() {
    return new IllegalStateException("the emulator was started without a control API");
  }

  /** POST {@code path} with the JSON {@code body}; the answer, which must be 200. */
  JsonNode post(String path, String body) {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path))
            // Only a bound on a failure: the API answers at once.
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "POST " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("POST " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  void insert(int lun, String medium) {
    post("/drives/" + lun + "/insert", "{\"medium\":\"" + medium + "\"}");
  }

  void remove(int lun) {
    post("/drives/" + lun + "/remove", "{\"force\":true}");
  }

  void eraseSecureArea(int lun) {
    post("/drives/" + lun + "/secure-area/erase", "{}");
  }
}
