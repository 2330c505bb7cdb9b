package io.moaiflow.swarmdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.moaiflow.swarmdb.Agent;
import io.moaiflow.swarmdb.AgentEvent;
import io.moaiflow.swarmdb.AgentStatus;
import io.moaiflow.swarmdb.MemoryEntry;
import io.moaiflow.swarmdb.SwarmDB;
import io.moaiflow.swarmdb.SwarmDbConfig;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven through chromedriver by
 * Selenium, against {@code serve --ui} with a metrics token, on a database written by {@link
 * SimulatedSwarm} plus one session whose agents ran for different lengths of time. Skipped (never
 * failed) when no Chromium or chromedriver is installed. Leaves a screenshot, the browser's console
 * log and the timing under {@code target/dashboard/}.
 */
class DashboardBrowserTest {
  private static final String TOKEN = "dashboard-token-0123456789";
  private static final Path ARTIFACTS = Paths.get("target", "dashboard");
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** The extra session: id, type, start (s after its base), end (s, or -1), final state. */
  private static final List<List<String>> DELTA =
      List.of(
          List.of("lead-1", "manager-plan", "0", "58", "complete"),
          List.of("coder-5", "expert-backend", "3", "31", "complete"),
          List.of("coder-6", "expert-frontend", "5", "22", "error"),
          List.of("tester-2", "expert-testing", "24", "40", "cancelled"),
          List.of("coder-7", "expert-backend", "33", "-1", "running"),
          List.of("docs-2", "manager-docs", "46", "-1", "spawned"));

  @TempDir Path dir;

  @Test
  void rendersTheSwarmAndFollowsNewEventsLive() throws Exception {
    long began = System.nanoTime();
    Optional<Path> driverPath = executable("chromedriver");
    Optional<Path> chromium =
        executable("chromium")
            .or(() -> executable("chromium-browser"))
            .or(() -> executable("google-chrome"));
    Assumptions.assumeTrue(
        driverPath.isPresent() && chromium.isPresent(),
        "no Chromium or chromedriver on PATH; install them to run the dashboard browser test,"
            + " e.g. on Debian as root: apt-get update && apt-get install -y chromium"
            + " chromium-driver (.ci/run does this)");

    Path db = SimulatedSwarm.write(dir.resolve("swarm.db"));
    writeDeltaSession(db);
    Path token =
        Files.writeString(
            Files.createFile(
                dir.resolve("token"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
            TOKEN);

    StringWriter err = new StringWriter();
    CommandLine cl = Main.newCommandLine(new Main(CliRun.quietEnv()));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    ServeCommand serve = cl.getSubcommands().get("serve").getCommand();
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                cl.execute(
                    "--db",
                    db.toString(),
                    "serve",
                    "--port",
                    "0",
                    "--metrics-port",
                    "0",
                    "--ui",
                    "--metrics-token-file",
                    token.toString()));
    assertThat(serve.started.await(60, TimeUnit.SECONDS)).as(err::toString).isTrue();
    assertThat(err.toString()).contains("dashboard at http://127.0.0.1:" + serve.boundPort + "/ui");
    String base = "http://127.0.0.1:" + serve.boundPort;

    Files.createDirectories(ARTIFACTS);
    long browserStarted = System.nanoTime();
    WebDriver driver = chrome(driverPath.orElseThrow(), chromium.orElseThrow());
    long pageLoaded;
    try (SwarmDB writer = SwarmDB.open(db)) {
      // the token once in the address; the page is reloaded without it and signs in by cookie
      driver.get(base + "/ui?token=" + TOKEN);
      WebDriverWait wait = new WebDriverWait(driver, WAIT);
      wait.until(d -> d.findElements(By.cssSelector("#agent-counts li")).size() == 5);
      pageLoaded = System.nanoTime();
      assertThat(driver.getCurrentUrl()).isEqualTo(base + "/ui");

      // agents by status, as the database counts them
      Map<AgentStatus, Long> counts = writer.agents().countByStatus();
      for (AgentStatus status : AgentStatus.values()) {
        WebElement li =
            driver.findElement(
                By.cssSelector("#agent-counts li[data-status='" + status.dbName() + "']"));
        assertThat(li.findElement(By.className("n")).getText())
            .as(status.dbName())
            .isEqualTo(Long.toString(counts.get(status)));
      }

      // the timeline of each session: one bar per agent, coloured by its state
      for (String session : List.of("s-alpha", "s-beta", "s-gamma", "s-delta")) {
        new Select(driver.findElement(By.id("session"))).selectByValue(session);
        wait.until(
            d -> session.equals(d.findElement(By.id("timeline")).getAttribute("data-session")));
        // lanes in spawn order; each bar names its agent and state, and is coloured by its class
        Map<String, String> shown = new LinkedHashMap<>();
        for (WebElement bar : driver.findElements(By.cssSelector("#timeline .bar"))) {
          String state = bar.getAttribute("data-status");
          assertThat(bar.getAttribute("class")).contains("status-" + state);
          shown.put(bar.getAttribute("data-agent"), state);
        }
        Map<String, String> stored = new LinkedHashMap<>();
        writer.agents().bySession(session).stream()
            .sorted(Comparator.comparing(Agent::spawnedAt).thenComparing(Agent::agentId))
            .forEach(a -> stored.put(a.agentId(), a.status().dbName()));
        assertThat(shown).as(session).containsExactlyEntriesOf(stored);
      }
      // s-delta is selected: bars are as long as the agents ran
      int lead = barWidth(driver, "lead-1");
      int coder6 = barWidth(driver, "coder-6");
      assertThat(lead).isGreaterThan(coder6 * 3 - 10);
      assertThat(coder6).isGreaterThan(10);
      assertThat(barColour(driver, "lead-1")).isNotEqualTo(barColour(driver, "coder-6"));

      // the memory browser shows the selected session's entries
      wait.until(d -> !d.findElements(By.cssSelector("#memory tbody tr[data-key]")).isEmpty());
      List<String> stored =
          writer.sessions().memory("s-delta").recent(100).stream()
              .map(MemoryEntry::key)
              .collect(Collectors.toList());
      assertThat(memoryKeys(driver)).isEqualTo(stored);

      // any other scope, typed in: the swarm's memory, then back to the session's
      writer.memory(io.moaiflow.swarmdb.Scope.swarm()).put("semantic", "db", "postgres 16");
      writer.memory(io.moaiflow.swarmdb.Scope.swarm()).put("semantic", "owner", "team-a");
      org.openqa.selenium.WebElement scope = driver.findElement(By.id("scope"));
      scope.sendKeys("swarm", org.openqa.selenium.Keys.TAB);
      // both written in the same millisecond, perhaps: newest first may order them either way
      wait.until(
          d -> new java.util.HashSet<>(memoryKeys(d)).equals(java.util.Set.of("owner", "db")));
      scope.clear();
      scope.sendKeys(org.openqa.selenium.Keys.TAB);
      wait.until(d -> memoryKeys(d).equals(stored));

      // the size chart is drawn by uPlot
      wait.until(d -> !d.findElements(By.cssSelector("#size-chart canvas")).isEmpty());

      // the stream's backlog arrived; events appended now appear live
      long lastSeq = writer.events().lastSeq();
      wait.until(d -> seqs(d).contains(lastSeq));
      List<AgentEvent> live =
          writer
              .events()
              .appendAll(
                  List.of(
                      AgentEvent.of(
                          "tool_call", "coder-7", "expert-backend", "s-delta", Map.of("live", 1)),
                      AgentEvent.of(
                          "tool_call", "coder-7", "expert-backend", "s-delta", Map.of("live", 2))));
      long second = live.get(1).seq();
      wait.until(d -> seqs(d).contains(second));

      // across the stream's reconnect (every few seconds, with Last-Event-ID): nothing lost
      wait.until(
          d ->
              Integer.parseInt(
                      Optional.ofNullable(d.findElement(By.id("live")).getAttribute("data-opens"))
                          .orElse("0"))
                  >= 2);
      long third =
          writer
              .events()
              .append(AgentEvent.of("complete", "coder-7", "expert-backend", "s-delta", Map.of()))
              .seq();
      wait.until(d -> seqs(d).contains(third));
      List<Long> shown = seqs(driver);
      // the log's newest events by seq (other changes take numbers of the same sequence, so event
      // seqs have gaps): the stream must show exactly those, none lost, none twice
      List<Long> logged = new ArrayList<>();
      for (List<AgentEvent> page = writer.events().since(0, 10_000);
          !page.isEmpty();
          page = writer.events().since(page.get(page.size() - 1).seq(), 10_000)) {
        page.forEach(e -> logged.add(e.seq()));
      }
      List<Long> expected =
          new ArrayList<>(logged.subList(logged.size() - shown.size(), logged.size()));
      java.util.Collections.reverse(expected);
      assertThat(shown).as("newest first, none lost, no duplicates").isEqualTo(expected);

      // the agent counts follow the registry on the next refresh
      writer.agents().transition("coder-7", AgentStatus.COMPLETE);
      long complete = writer.agents().countByStatus().get(AgentStatus.COMPLETE);
      wait.until(
          d ->
              d.findElement(By.cssSelector("#agent-counts li[data-status='complete'] .n"))
                  .getText()
                  .equals(Long.toString(complete)));

      byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
      Files.write(ARTIFACTS.resolve("dashboard.png"), png);

      // nothing was blocked by the Content-Security-Policy, nothing failed; the marker shows the
      // console is really collected
      ((JavascriptExecutor) driver).executeScript("console.info('dashboard-test-marker')");
      List<LogEntry> console = driver.manage().logs().get(LogType.BROWSER).getAll();
      Files.write(
          ARTIFACTS.resolve("console.log"),
          console.stream().map(LogEntry::toString).collect(Collectors.toList()),
          StandardCharsets.UTF_8);
      assertThat(console)
          .as("browser console")
          .noneMatch(e -> e.getMessage().contains("Content Security Policy"))
          .noneMatch(e -> e.getMessage().contains("Refused to"))
          .noneMatch(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
          .anyMatch(e -> e.getMessage().contains("dashboard-test-marker"));
      // and the policy is enforced: an inline script added now is refused, and reported
      ((JavascriptExecutor) driver)
          .executeScript(
              "var s = document.createElement('script'); s.textContent = 'window.inlineRan = 1';"
                  + " document.body.appendChild(s);");
      assertThat(((JavascriptExecutor) driver).executeScript("return window.inlineRan === 1"))
          .isEqualTo(false);
      wait.until(
          d ->
              d.manage().logs().get(LogType.BROWSER).getAll().stream()
                  .anyMatch(e -> e.getMessage().contains("Content Security Policy")));
    } finally {
      driver.quit();
      serve.stop.countDown();
    }
    assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
    long end = System.nanoTime();
    String timing =
        String.format(
            "dashboard browser test: %d ms in all; Chromium start and first render %d ms;"
                + " assertions, live events and a stream reconnect %d ms%n",
            TimeUnit.NANOSECONDS.toMillis(end - began),
            TimeUnit.NANOSECONDS.toMillis(pageLoaded - browserStarted),
            TimeUnit.NANOSECONDS.toMillis(end - pageLoaded));
    Files.writeString(ARTIFACTS.resolve("timing.txt"), timing);
    System.out.print(timing);
  }

  private static WebDriver chrome(Path driver, Path binary) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(binary.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1250",
        "--lang=en-US");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(driver.toFile())
            .usingAnyFreePort()
            .withLogFile(ARTIFACTS.resolve("chromedriver.log").toFile())
            .build();
    return new ChromeDriver(service, options);
  }

  private static List<Long> seqs(WebDriver d) {
    return attributes(d, "#events tbody tr[data-seq]", "data-seq").stream()
        .map(Long::parseLong)
        .collect(Collectors.toList());
  }

  private static List<String> memoryKeys(WebDriver d) {
    return attributes(d, "#memory tbody tr[data-key]", "data-key");
  }

  /**
   * One attribute of every row a selector matches, read in one script: the page re-renders its
   * tables as data arrives, so rows found by one call may be gone (stale) by the next.
   */
  private static List<String> attributes(WebDriver d, String selector, String attribute) {
    Object out =
        ((org.openqa.selenium.JavascriptExecutor) d)
            .executeScript(
                "return Array.from(document.querySelectorAll(arguments[0]))"
                    + ".map(r => r.getAttribute(arguments[1]));",
                selector,
                attribute);
    List<String> values = new java.util.ArrayList<>();
    for (Object o : (List<?>) java.util.Objects.requireNonNull(out)) {
      values.add(String.valueOf(o));
    }
    return values;
  }

  private static int barWidth(WebDriver d, String agent) {
    return d.findElement(By.cssSelector(".bar[data-agent='" + agent + "']")).getSize().getWidth();
  }

  private static String barColour(WebDriver d, String agent) {
    return d.findElement(By.cssSelector(".bar[data-agent='" + agent + "']"))
        .getCssValue("background-color");
  }

  /**
   * An executable in the directories of {@code -Dswarmdb.test.browserPath} (to point at another
   * Chromium, or at none), else of PATH and Debian's /usr/lib/chromium.
   */
  private static Optional<Path> executable(String name) {
    String path =
        System.getProperty(
            "swarmdb.test.browserPath",
            System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/lib/chromium");
    return Stream.of(path.split(File.pathSeparator))
        .filter(p -> !p.isEmpty())
        .map(p -> Paths.get(p, name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /**
   * A session whose agents ran for different lengths of time, ending a minute ago, so its timeline
   * has bars of many lengths (the simulated swarm's clock is fixed), and some memory.
   */
  private static void writeDeltaSession(Path db) {
    Instant start =
        Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    SteppedClock clock = new SteppedClock(start);
    try (SwarmDB s = SwarmDB.open(SwarmDbConfig.builder(db).clock(clock).build())) {
      s.sessions().start("s-delta", Map.of("goal", "ship the dashboard"));
      record Step(long at, Runnable action) {}
      List<Step> steps = new ArrayList<>();
      for (List<String> a : DELTA) {
        String id = a.get(0);
        String type = a.get(1);
        long from = Long.parseLong(a.get(2));
        long to = Long.parseLong(a.get(3));
        AgentStatus end = AgentStatus.parse(a.get(4));
        steps.add(
            new Step(
                from,
                () -> {
                  s.agents().register(id, type, "s-delta", Map.of("task", "part of the dashboard"));
                  s.events().append(event("spawn", id, type, clock.instant()));
                  if (end != AgentStatus.SPAWNED) {
                    s.agents().transition(id, AgentStatus.RUNNING);
                    s.events().append(event("start", id, type, clock.instant()));
                  }
                }));
        if (to >= 0) {
          steps.add(
              new Step(
                  to,
                  () -> {
                    s.agents().transition(id, end);
                    s.events().append(event(end.dbName(), id, type, clock.instant()));
                  }));
        }
      }
      steps.sort((x, y) -> Long.compare(x.at(), y.at()));
      for (Step step : steps) {
        clock.set(start.plusSeconds(step.at()));
        step.action().run();
      }
      s.sessions()
          .memory("s-delta")
          .put("semantic", "plan", Map.of("steps", List.of("api", "ui", "docs")));
      s.sessions().memory("s-delta").put("episodic", "review", "the timeline needs a legend");
      s.sessions().memory("s-delta").put("working", "branch", "dashboard");
    }
  }

  private static AgentEvent event(String type, String agent, String agentType, Instant at) {
    return AgentEvent.of(type, agent, agentType, "s-delta", Map.of()).withTimestamp(at);
  }

  /** A clock the writer moves by hand. */
  private static final class SteppedClock extends Clock {
    private volatile Instant now;

    SteppedClock(Instant start) {
      this.now = start;
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
