package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.kit.testing.ExternalTool;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The front panel in a real headless Chromium (Debian's chromium and chromium-driver, driven with
 * Selenium): the page shows the drives as the emulator has them, and a click on Eject is what a
 * host on TCP then sees, MEDIUM NOT PRESENT; a click on Insert brings the medium back. The waits
 * are liveness bounds on events that must come (the page's next state), never a margin on a time.
 */
class FrontPanelIT {

  /** A bound on the browser doing what it must; never reached when all is well. */
  private static final Duration LIVENESS = Duration.ofSeconds(60);

  @TempDir Path media;
  @TempDir Path profile;
  private ChromeDriver browser;

  private ChromeDriver browser() {
    Path chromium =
        ExternalTool.onPath("chromium")
            .describedAs("chromium", "apt-get install -y chromium")
            .require();
    Path driver =
        ExternalTool.onPath("chromedriver")
            .describedAs("chromedriver", "apt-get install -y chromium-driver")
            .require();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1000,760",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).build();
    return new ChromeDriver(service, options);
  }

  @AfterEach
  void quit() {
    if (browser != null) {
      browser.quit();
    }
  }

  /** The host's view of readiness, past the unit attentions a change leaves: its sense, or null. */
  private static ScsiException notReady(Drive drive) {
    for (int i = 0; i < 8; i++) {
      try {
        drive.testUnitReady();
        return null;
      } catch (ScsiException e) {
        if (!e.isUnitAttention()) {
          return e;
        }
      }
    }
    throw new AssertionError("unit attentions without end");
  }

  @Test
  void aClickOnEjectIsWhatTheHostSeesAndInsertBringsTheMediumBack() throws Exception {
    MediumStore store = MediumStore.openOrCreate(media);
    Rig.createMedium(store, "PANEL-MO", "mo-640", null);
    try (Rig rig =
            new Rig(
                media,
                TimingMode.FAST,
                List.of(
                    new DriveConfig(0, "mo-640", "PANEL-0", "PANEL-MO"),
                    new DriveConfig(1, "dvd-ram", "PANEL-1", null)));
        Drive drive = Drive.open(rig.uri(0))) {
      assertEquals(null, notReady(drive), "the medium is in");
      drive.read(0, 4);
      // A license on the medium, for the panel to list as LICENSE STATUS reports it.
      Path credential = Rig.licensor(media, profile.resolve("studio.json"), "Studio One");
      Path content = Files.write(profile.resolve("title.bin"), new byte[3 * 2048]);
      Cli provisioned = Rig.provision(rig.uri(0), credential, "MOVIE-1", content, "--plays", "3");
      assertEquals(0, provisioned.exit(), provisioned::toString);

      Cli panel = Cli.run("control", rig.controlUrl(), "--media-dir", media.toString(), "panel");
      String url = panel.out().trim();
      assertTrue(url.startsWith(rig.controlUrl() + "/panel#token="), panel::toString);

      browser = browser();
      WebDriverWait wait = new WebDriverWait(browser, LIVENESS);
      browser.get(url);
      WebElement card =
          wait.until(
              b -> {
                List<WebElement> found =
                    b.findElements(By.cssSelector("#drive-0[data-medium=PANEL-MO]"));
                return found.isEmpty() ? null : found.get(0);
              });
      assertEquals("mo-640", card.findElement(By.className("profile")).getText());
      assertEquals("PANEL-0", card.findElement(By.className("device-id")).getText());
      assertEquals("PANEL-MO", card.findElement(By.className("medium-id")).getText());
      assertEquals("test PANEL-MO", card.findElement(By.className("label")).getText());
      assertFalse(browser.getCurrentUrl().contains("token"), "the token left the address bar");
      WebElement license =
          wait.until(
              b -> {
                List<WebElement> rows = card.findElements(By.cssSelector(".licenses tbody tr"));
                return rows.isEmpty() ? null : rows.get(0);
              });
      assertEquals("MOVIE-1 Studio One 3", license.getText());
      wait.until(b -> !card.findElement(By.className("commands")).getText().equals("0"));
      wait.until(b -> b.findElements(By.id("drive-1")).size() == 1);

      // The README's picture of the panel: drive 0 loaded and busy, drive 1 empty.
      Files.write(Path.of("target", "front-panel.png"), browser.getScreenshotAs(OutputType.BYTES));
      card.findElement(By.className("eject")).click();
      wait.until(b -> "".equals(card.getAttribute("data-medium")));
      ScsiException gone = notReady(drive);
      assertTrue(
          gone != null && gone.is(SenseKey.NOT_READY, AdditionalSense.MEDIUM_NOT_PRESENT),
          "the host hears the eject: " + gone);
      wait.until(
          b ->
              card.findElement(By.className("last-sense"))
                  .getText()
                  .contains("MEDIUM NOT PRESENT"));

      new Select(card.findElement(By.className("insert-medium"))).selectByValue("PANEL-MO");
      card.findElement(By.className("insert")).click();
      wait.until(b -> "PANEL-MO".equals(card.getAttribute("data-medium")));
      assertEquals(null, notReady(drive), "the medium is back");

      card.findElement(By.className("write-protect")).click();
      wait.until(b -> card.getAttribute("class").contains("protected"));
      DriveIT.assertSense(
          SenseKey.DATA_PROTECT,
          AdditionalSense.WRITE_PROTECTED,
          () -> drive.write(0, new byte[2048]));
      card.findElement(By.className("write-protect")).click();
      wait.until(b -> !card.getAttribute("class").contains("protected"));
      drive.write(0, new byte[2048]);
      assertTrue(
          browser.findElement(By.id("problem")).getAttribute("hidden") != null, "no error shown");
    }
  }
}
